using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>
/// Buckets in the store's <c>rate_buckets</c> table (migration 0005), so every process serving a tenant draws from
/// one allowance. Each take is one write transaction: read the row (locked on Postgres; made first if it is new),
/// refill it by the time since it was last written, take if the amount fits, and write it back.
/// </summary>
public sealed class StoreRateBuckets(Database database, TimeProvider clock) : IRateBuckets
{
    public BucketState TryTake(string tenantId, string kind, long capacity, long amount)
    {
        BucketState state = default;
        Change(tenantId, kind, capacity, level =>
        {
            (var after, state) = level.Take(amount);
            return after;
        });
        return state;
    }

    public void Give(string tenantId, string kind, long capacity, long amount) => Change(tenantId, kind, capacity, level => level.Give(amount));

    void Change(string tenantId, string kind, long capacity, Func<BucketLevel, BucketLevel> change)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection);
        var key = new { tenantId, kind, capacity, now };
        var read = $"SELECT available AS Available, updated_ms AS UpdatedMs FROM rate_buckets WHERE tenant_id = @tenantId AND kind = @kind {database.ForUpdate}";
        var row = connection.QuerySingleOrDefault<Row>(read, key, transaction);
        if (row == null)
        {
            // Another process may make the row at the same moment: the loser's insert does nothing, and both read the one row.
            connection.Execute(
                """
                INSERT INTO rate_buckets (tenant_id, kind, capacity, available, updated_ms) VALUES (@tenantId, @kind, @capacity, @capacity, @now)
                ON CONFLICT (tenant_id, kind) DO NOTHING
                """, key, transaction);
            row = connection.QuerySingle<Row>(read, key, transaction);
        }
        // A tier change applies at once, keeping what was used; a clock behind the last writer's refills nothing.
        var level = new BucketLevel(capacity, Math.Min(capacity, row.Available)).After(TimeSpan.FromMilliseconds(now - row.UpdatedMs));
        connection.Execute(
            "UPDATE rate_buckets SET capacity = @capacity, available = @available, updated_ms = @updated WHERE tenant_id = @tenantId AND kind = @kind",
            new { tenantId, kind, capacity, available = change(level).Available, updated = Math.Max(now, row.UpdatedMs) }, transaction);
        transaction.Commit();
    }

    sealed class Row
    {
        public double Available { get; init; }
        public long UpdatedMs { get; init; }
    }
}
