using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>
/// Buckets in the store's <c>rate_buckets</c> table (migration 0005), so every process serving a tenant draws from
/// one allowance. Each take or give is one statement, an upsert that refills the row by the time since it was last
/// written, takes if the amount fits and says whether it did: the row is locked only while that statement runs, not
/// across round trips, so one busy tenant's requests do not queue behind each other's network latency.
/// </summary>
public sealed class StoreRateBuckets(Database database, TimeProvider clock) : IRateBuckets
{
    /// <summary>What the row holds now: its level clamped to a (possibly lowered) capacity, plus the refill since it was written (none for a clock behind the last writer).</summary>
    const string Refilled = """
        (CASE WHEN (CASE WHEN b.available > @capacity THEN @capacity ELSE b.available END)
                   + (CASE WHEN @now > b.updated_ms THEN (@now - b.updated_ms) * @perMs ELSE 0 END) > @capacity
              THEN @capacity
              ELSE (CASE WHEN b.available > @capacity THEN @capacity ELSE b.available END)
                   + (CASE WHEN @now > b.updated_ms THEN (@now - b.updated_ms) * @perMs ELSE 0 END) END)
        """;

    static readonly string TakeSql = $"""
        INSERT INTO rate_buckets AS b (tenant_id, kind, capacity, available, updated_ms, taken)
        VALUES (@tenantId, @kind, @capacity, @fresh, @now, @freshTaken)
        ON CONFLICT (tenant_id, kind) DO UPDATE SET
            capacity = @capacity,
            available = CASE WHEN {Refilled} >= @amount THEN {Refilled} - @amount ELSE {Refilled} END,
            taken = CASE WHEN {Refilled} >= @amount THEN 1 ELSE 0 END,
            updated_ms = CASE WHEN @now > b.updated_ms THEN @now ELSE b.updated_ms END
        RETURNING available AS Available, taken AS Taken
        """;

    static readonly string GiveSql = $"""
        INSERT INTO rate_buckets AS b (tenant_id, kind, capacity, available, updated_ms, taken)
        VALUES (@tenantId, @kind, @capacity, @capacity, @now, 0)
        ON CONFLICT (tenant_id, kind) DO UPDATE SET
            capacity = @capacity,
            available = CASE WHEN {Refilled} + @amount > @capacity THEN @capacity ELSE {Refilled} + @amount END,
            updated_ms = CASE WHEN @now > b.updated_ms THEN @now ELSE b.updated_ms END
        """;

    public BucketState TryTake(string tenantId, string kind, long capacity, long amount)
    {
        var fits = amount <= capacity;
        using var connection = database.Open();
        var row = connection.QuerySingle<Row>(TakeSql, Parameters(tenantId, kind, capacity, amount, new { fresh = fits ? capacity - amount : capacity, freshTaken = fits ? 1 : 0 }));
        // The level before this take, from the level after it and whether it fitted: the same arithmetic as memory buckets report.
        var before = row.Taken == 1 ? row.Available + amount : row.Available;
        return new BucketLevel(capacity, before).Take(amount).State;
    }

    public void Give(string tenantId, string kind, long capacity, long amount)
    {
        using var connection = database.Open();
        connection.Execute(GiveSql, Parameters(tenantId, kind, capacity, amount, null));
    }

    DynamicParameters Parameters(string tenantId, string kind, long capacity, long amount, object? extra)
    {
        var parameters = new DynamicParameters(new { tenantId, kind, capacity, amount, now = clock.GetUtcNow().ToUnixTimeMilliseconds(), perMs = capacity / 60_000.0 });
        if (extra != null) parameters.AddDynamicParams(extra);
        return parameters;
    }

    sealed class Row
    {
        public double Available { get; init; }
        public long Taken { get; init; }
    }
}
