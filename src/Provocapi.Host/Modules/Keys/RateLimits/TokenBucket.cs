using System.Diagnostics;

namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>A <see cref="BucketLevel"/> in this process's memory, refilled by the monotonic clock. Thread-safe.</summary>
public sealed class TokenBucket(long perMinute)
{
    readonly object _lock = new();
    BucketLevel _level = BucketLevel.Full(perMinute);
    long _updatedAt = Stopwatch.GetTimestamp();

    public BucketState TryTake(long amount)
    {
        lock (_lock)
        {
            Refill();
            (_level, var state) = _level.Take(amount);
            return state;
        }
    }

    /// <summary>Returns an unused part of an earlier take.</summary>
    public void Give(long amount)
    {
        lock (_lock)
        {
            Refill();
            _level = _level.Give(amount);
        }
    }

    void Refill()
    {
        var now = Stopwatch.GetTimestamp();
        _level = _level.After(Stopwatch.GetElapsedTime(_updatedAt, now));
        _updatedAt = now;
    }
}
