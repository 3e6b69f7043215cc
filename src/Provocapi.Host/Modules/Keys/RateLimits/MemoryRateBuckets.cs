using System.Collections.Concurrent;

namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>Buckets in this process's memory: the single-process server on its SQLite file.</summary>
public sealed class MemoryRateBuckets : IRateBuckets
{
    // Keyed by capacity too, so a tier change starts a bucket of the new size.
    readonly ConcurrentDictionary<(string Tenant, string Kind, long Capacity), TokenBucket> _buckets = new();

    public BucketState TryTake(string tenantId, string kind, long capacity, long amount) => Bucket(tenantId, kind, capacity).TryTake(amount);

    public void Give(string tenantId, string kind, long capacity, long amount) => Bucket(tenantId, kind, capacity).Give(amount);

    TokenBucket Bucket(string tenantId, string kind, long capacity) =>
        _buckets.GetOrAdd((tenantId, kind, capacity), static key => new TokenBucket(key.Capacity));
}
