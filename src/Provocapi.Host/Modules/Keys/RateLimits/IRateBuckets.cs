namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>
/// Where tenants' per-minute buckets live: this process's memory (<see cref="MemoryRateBuckets"/>, one process
/// serves everyone) or the shared store (<see cref="StoreRateBuckets"/>, several processes hold one limit together).
/// A bucket is named by tenant and kind (<c>requests</c> or <c>tokens</c>) and holds <c>capacity</c> per minute.
/// </summary>
public interface IRateBuckets
{
    BucketState TryTake(string tenantId, string kind, long capacity, long amount);

    /// <summary>Returns an unused part of an earlier take.</summary>
    void Give(string tenantId, string kind, long capacity, long amount);
}
