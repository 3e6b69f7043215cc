using System.Diagnostics;

namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>
/// A per-minute allowance as a token bucket: it holds up to a minute's worth and refills continuously, so a tenant
/// can burst to its limit and then proceeds at the sustained rate. Thread-safe.
/// </summary>
public sealed class TokenBucket(long perMinute)
{
    readonly object _lock = new();
    readonly double _perSecond = perMinute / 60.0;
    double _available = perMinute;
    long _updatedAt = Stopwatch.GetTimestamp();

    public long Capacity { get; } = perMinute;

    /// <summary>The outcome of a take: whether it fit, what is left, when the bucket is full again, and when the take would fit.</summary>
    public readonly record struct State(bool Taken, long Remaining, TimeSpan UntilFull, TimeSpan RetryAfter);

    public State TryTake(long amount)
    {
        lock (_lock)
        {
            Refill();
            var taken = amount <= _available;
            if (taken) _available -= amount;
            var retry = taken ? TimeSpan.Zero
                : amount > Capacity ? TimeSpan.FromMinutes(1)
                : TimeSpan.FromSeconds((amount - _available) / _perSecond);
            return new State(taken, (long)Math.Floor(_available), TimeSpan.FromSeconds((Capacity - _available) / _perSecond), retry);
        }
    }

    /// <summary>Returns an unused part of an earlier take.</summary>
    public void Give(long amount)
    {
        lock (_lock)
        {
            Refill();
            _available = Math.Min(Capacity, _available + amount);
        }
    }

    void Refill()
    {
        var now = Stopwatch.GetTimestamp();
        _available = Math.Min(Capacity, _available + Stopwatch.GetElapsedTime(_updatedAt, now).TotalSeconds * _perSecond);
        _updatedAt = now;
    }
}
