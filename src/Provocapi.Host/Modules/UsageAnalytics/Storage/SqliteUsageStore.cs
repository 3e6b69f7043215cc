using System.Globalization;
using Dapper;
using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.UsageAnalytics.Storage;

/// <summary>
/// Usage in the embedded SQLite store (table <c>usage_requests</c>, migration 0002). SQLite has no quantile
/// function: the report sums each (day, model) group in SQL, then reads the groups' latencies in the same order
/// and takes <see cref="ExactPercentiles"/> of them here. Both reads use only the covering index.
/// </summary>
public sealed class SqliteUsageStore(SqliteDatabase store) : IUsageStore
{
    public string Name => "SQLite";

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        store.Migrate();
        return Task.CompletedTask;
    }

    public Task WriteAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        using var connection = store.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        connection.Execute(
            """
            INSERT INTO usage_requests (time_ms, day, request_id, tenant_id, key_id, model, adapter, endpoint, prompt_tokens, completion_tokens,
                                        latency_ms, ttft_ms, queue_ms, status, batch, cost)
            VALUES (@TimeMs, @Day, @RequestId, @TenantId, @KeyId, @Model, @Adapter, @Endpoint, @PromptTokens, @CompletionTokens,
                    @LatencyMs, @TimeToFirstTokenMs, @QueueMs, @StatusCode, @IsBatch, @Cost)
            """,
            records.Select(r => new
            {
                TimeMs = r.Time.ToUnixTimeMilliseconds(), Day = DayText(r.Day), r.RequestId, r.TenantId, r.KeyId, r.Model, r.Adapter, r.Endpoint,
                r.PromptTokens, r.CompletionTokens, r.LatencyMs, r.TimeToFirstTokenMs, r.QueueMs, r.StatusCode, IsBatch = r.IsBatch ? 1 : 0, r.Cost,
            }), transaction);
        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UsageDay>> QueryAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        const string Where = "WHERE tenant_id = @TenantId AND day >= @From AND day <= @To AND (@Model IS NULL OR model = @Model)";
        var parameters = new { query.TenantId, From = DayText(query.From), To = DayText(query.To), query.Model };
        using var connection = store.Open();
        // One snapshot for both reads, so the groups' counts match the latencies read after them while the writer inserts.
        using var transaction = connection.BeginTransaction(deferred: true);
        var groups = connection.Query<GroupRow>(
            $"""
            SELECT day AS Day, model AS Model, COUNT(*) AS Requests, SUM(prompt_tokens) AS PromptTokens, SUM(completion_tokens) AS CompletionTokens,
                   TOTAL(cost) AS Cost
            FROM usage_requests {Where}
            GROUP BY day, model ORDER BY day, model
            """, parameters, transaction).ToList();
        using var timings = connection.ExecuteReader($"SELECT latency_ms, ttft_ms FROM usage_requests {Where} ORDER BY day, model, latency_ms", parameters, transaction);
        var days = new List<UsageDay>(groups.Count);
        List<double> latencies = [], firstTokens = [];
        foreach (var group in groups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            latencies.Clear();
            firstTokens.Clear();
            for (var i = 0L; i < group.Requests; i++)
            {
                if (!timings.Read()) throw new InvalidOperationException("usage: the report's two reads disagree");
                latencies.Add(timings.GetDouble(0));
                if (!timings.IsDBNull(1)) firstTokens.Add(timings.GetDouble(1));
            }
            days.Add(new UsageDay(DateOnly.ParseExact(group.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), group.Model, group.Requests,
                group.PromptTokens, group.CompletionTokens, group.Cost, ExactPercentiles.Of(latencies)!, ExactPercentiles.Of(firstTokens)));
        }
        return Task.FromResult<IReadOnlyList<UsageDay>>(days);
    }

    static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Settable properties rather than a constructor: SQLite types an aggregate column only once it has a row.</summary>
    sealed class GroupRow
    {
        public string Day { get; set; } = "";
        public string Model { get; set; } = "";
        public long Requests { get; set; }
        public long PromptTokens { get; set; }
        public long CompletionTokens { get; set; }
        public double Cost { get; set; }
    }
}
