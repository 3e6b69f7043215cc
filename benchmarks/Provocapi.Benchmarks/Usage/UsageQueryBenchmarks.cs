using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Provocapi.Host.Modules.UsageAnalytics;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Store;

namespace Provocapi.Benchmarks.Usage;

/// <summary>
/// <c>GET /v1/usage</c>'s query for one tenant over 31 days (January 2025), 3 models, with <see cref="Rows"/> requests
/// recorded for it, on SQLite (the data folder <c>PROVOCAPI_BENCH_USAGE_DIR</c>, default <c>/tmp/provocapi-usage-bench</c>)
/// and on ClickHouse (<c>PROVOCAPI_BENCH_CLICKHOUSE_URL</c>, database <c>provocapi_bench</c>). Each tenant's rows
/// are generated once, in the database, by the same formulas on both backends, so both answer the same report.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class UsageQueryBenchmarks
{
    static readonly DateOnly From = new(2025, 1, 1), To = new(2025, 1, 31);

    /// <summary><c>PROVOCAPI_BENCH_USAGE_BACKENDS</c> (comma separated) picks them; both by default.</summary>
    public static IEnumerable<string> Backends => (Environment.GetEnvironmentVariable("PROVOCAPI_BENCH_USAGE_BACKENDS") ?? "sqlite,clickhouse").Split(',');

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "";

    [Params(100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)]
    public int Rows { get; set; }

    IUsageStore _store = null!;
    string Tenant => $"bench_{Rows}";

    [GlobalSetup]
    public async Task Setup()
    {
        if (Backend == "sqlite")
        {
            var sqlite = new SqliteDatabase(Environment.GetEnvironmentVariable("PROVOCAPI_BENCH_USAGE_DIR") ?? "/tmp/provocapi-usage-bench").Migrate();
            _store = new SqliteUsageStore(sqlite);
            using var connection = sqlite.Open();
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_requests WHERE tenant_id = @Tenant", new { Tenant }) != Rows)
                PopulateSqlite(connection);
        }
        else
        {
            var url = Environment.GetEnvironmentVariable("PROVOCAPI_BENCH_CLICKHOUSE_URL")
                ?? throw new InvalidOperationException("set PROVOCAPI_BENCH_CLICKHOUSE_URL (e.g. http://127.0.0.1:8123) for the ClickHouse cases");
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            _store = new ClickHouseUsageStore(new ClickHouseOptions { Url = url, Database = "provocapi_bench" }, new HttpClient());
            await _store.InitializeAsync(CancellationToken.None);
            var count = long.Parse(await ClickHouseAsync(http, url, $"SELECT count() FROM provocapi_bench.usage_requests WHERE tenant_id = '{Tenant}'"), CultureInfo.InvariantCulture);
            if (count != Rows) await PopulateClickHouseAsync(http, url);
        }
        var report = await Query();
        Console.WriteLine($"// {Backend} {Rows} rows: {report.Count} (day, model) groups, {report.Sum(d => d.Requests)} requests");
    }

    [Benchmark]
    public Task<IReadOnlyList<UsageDay>> Query() => _store.QueryAsync(new UsageQuery(Tenant, From, To), CancellationToken.None);

    // Row i: day i × 31 / rows (in order), model i mod 3, tokens, latencies (0 to 5,000 ms) and time to first token
    // (0 to 300 ms, none for every tenth) from multiplicative hashes of i.
    void PopulateSqlite(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        connection.Execute("DELETE FROM usage_requests WHERE tenant_id = @Tenant", new { Tenant }, transaction);
        connection.Execute(
            """
            INSERT INTO usage_requests (time_ms, day, request_id, tenant_id, key_id, model, adapter, endpoint, prompt_tokens, completion_tokens,
                                        latency_ms, ttft_ms, queue_ms, status, batch, cost)
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @Rows)
            SELECT 1735689600000 + (i * 31 / @Rows) * 86400000 + (i * 7919) % 86400000,
                   date(1735689600 + (i * 31 / @Rows) * 86400, 'unixepoch'),
                   'req_' || i, @Tenant, 'key_bench', 'model-' || (i % 3), NULL, '/v1/chat/completions',
                   (i * 31) % 2000, (i * 17) % 500, ((i * 7919) % 50000) / 10.0,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE ((i * 104729) % 3000) / 10.0 END,
                   (i % 7) / 10.0, 200, 0, ((i * 31) % 2000) * 0.0000001
            FROM n
            """, new { Rows, Tenant }, transaction, commandTimeout: 3600);
        transaction.Commit();
    }

    async Task PopulateClickHouseAsync(HttpClient http, string url)
    {
        await ClickHouseAsync(http, url, $"ALTER TABLE provocapi_bench.usage_requests DELETE WHERE tenant_id = '{Tenant}'");
        await ClickHouseAsync(http, url,
            $"""
            INSERT INTO provocapi_bench.usage_requests (day, time_ms, request_id, tenant_id, key_id, model, adapter, endpoint, prompt_tokens,
                                                        completion_tokens, latency_ms, ttft_ms, queue_ms, status, batch, cost)
            SELECT toDate('2025-01-01') + intDiv(number * 31, {Rows}),
                   1735689600000 + intDiv(number * 31, {Rows}) * 86400000 + (number * 7919) % 86400000,
                   concat('req_', toString(number)), '{Tenant}', 'key_bench', concat('model-', toString(number % 3)), NULL, '/v1/chat/completions',
                   (number * 31) % 2000, (number * 17) % 500, ((number * 7919) % 50000) / 10.0,
                   if(number % 10 = 0, NULL, ((number * 104729) % 3000) / 10.0),
                   (number % 7) / 10.0, 200, 0, ((number * 31) % 2000) * 0.0000001
            FROM numbers({Rows})
            """);
    }

    static async Task<string> ClickHouseAsync(HttpClient http, string url, string sql)
    {
        using var response = await http.PostAsync(url, new StringContent(sql));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ClickHouse: {text}");
        return text.Trim();
    }
}
