namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>
/// A per-minute allowance as a token bucket: it holds up to a minute's worth (<see cref="Capacity"/>) and refills
/// continuously, so a tenant can burst to its limit and then proceeds at the sustained rate. The arithmetic only:
/// <see cref="TokenBucket"/> keeps a level in memory, <see cref="StoreRateBuckets"/> in the store.
/// </summary>
public readonly record struct BucketLevel(long Capacity, double Available)
{
    public static BucketLevel Full(long capacity) => new(capacity, capacity);

    double PerSecond => Capacity / 60.0;

    public BucketLevel After(TimeSpan elapsed) =>
        this with { Available = Math.Min(Capacity, Available + Math.Max(0, elapsed.TotalSeconds) * PerSecond) };

    public BucketLevel Give(long amount) => this with { Available = Math.Min(Capacity, Available + amount) };

    /// <summary>Takes <paramref name="amount"/> if it fits; the level after, and what to tell the caller.</summary>
    public (BucketLevel Level, BucketState State) Take(long amount)
    {
        var taken = amount <= Available;
        var level = taken ? this with { Available = Available - amount } : this;
        var retry = taken ? TimeSpan.Zero
            : amount > Capacity ? TimeSpan.FromMinutes(1)
            : TimeSpan.FromSeconds((amount - Available) / PerSecond);
        return (level, new BucketState(taken, (long)Math.Floor(level.Available), TimeSpan.FromSeconds((Capacity - level.Available) / PerSecond), retry));
    }
}
