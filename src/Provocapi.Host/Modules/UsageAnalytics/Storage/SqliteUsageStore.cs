using System.Globalization;
using Dapper;
using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.UsageAnalytics.Storage;

/// <summary>
/// Usage in the embedded SQLite store (table <c>usage_requests</c>, migration 0002). SQLite has no quantile
/// function, so the query reads each (day, model) group's latencies in index order and takes
/// <see cref="ExactPercentiles"/> of them here.
/// </summary>
public sealed class SqliteUsageStore(SqliteStore store) : IUsageStore
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
        using var connection = store.Open();
        var rows = connection.Query<Row>(
            """
            SELECT day AS Day, model AS Model, prompt_tokens AS PromptTokens, completion_tokens AS CompletionTokens, cost AS Cost,
                   latency_ms AS LatencyMs, ttft_ms AS TtftMs
            FROM usage_requests
            WHERE tenant_id = @TenantId AND day >= @From AND day <= @To AND (@Model IS NULL OR model = @Model)
            ORDER BY day, model
            """, new { query.TenantId, From = DayText(query.From), To = DayText(query.To), query.Model }, buffered: false);
        var days = new List<UsageDay>();
        var group = new Group();
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (group.Requests > 0 && (row.Day != group.Day || row.Model != group.Model)) days.Add(group.Close());
            group.Add(row);
        }
        if (group.Requests > 0) days.Add(group.Close());
        return Task.FromResult<IReadOnlyList<UsageDay>>(days);
    }

    static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The (day, model) group being read; reused from one group to the next.</summary>
    sealed class Group
    {
        public string Day = "", Model = "";
        public long Requests, PromptTokens, CompletionTokens;
        double _cost;
        readonly List<double> _latencies = [], _firstTokens = [];

        public void Add(Row row)
        {
            Day = row.Day;
            Model = row.Model;
            Requests++;
            PromptTokens += row.PromptTokens;
            CompletionTokens += row.CompletionTokens;
            _cost += row.Cost;
            _latencies.Add(row.LatencyMs);
            if (row.TtftMs is { } ttft) _firstTokens.Add(ttft);
        }

        public UsageDay Close()
        {
            var day = new UsageDay(DateOnly.ParseExact(Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), Model, Requests, PromptTokens, CompletionTokens, _cost,
                ExactPercentiles.Of(_latencies)!, ExactPercentiles.Of(_firstTokens));
            Requests = PromptTokens = CompletionTokens = 0;
            _cost = 0;
            _latencies.Clear();
            _firstTokens.Clear();
            return day;
        }
    }

    sealed class Row
    {
        public string Day { get; set; } = "";
        public string Model { get; set; } = "";
        public long PromptTokens { get; set; }
        public long CompletionTokens { get; set; }
        public double Cost { get; set; }
        public double LatencyMs { get; set; }
        public double? TtftMs { get; set; }
    }
}
