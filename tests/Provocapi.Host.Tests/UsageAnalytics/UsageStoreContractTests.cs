using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Modules.UsageAnalytics.Storage;

namespace Provocapi.Host.Tests.UsageAnalytics;

/// <summary>One suite every usage store passes: SQLite always, ClickHouse where one is configured.</summary>
public sealed class UsageStoreContractTests
{
    public static TheoryData<string> Backends => UsageBackends.Names;

    static readonly DateTimeOffset Noon = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);
    static readonly DateOnly Day = new(2025, 3, 10);

    static UsageRecord Row(string tenant, DateTimeOffset time, string model = "m1", long prompt = 10, long completion = 5, double latency = 100,
        double? ttft = 20, double cost = 0.001, int status = 200, bool batch = false) =>
        new(time, "req_" + Guid.NewGuid().ToString("N"), tenant, "key_1", model, null, "/v1/chat/completions", prompt, completion, latency, ttft, 3, status, batch, cost);

    static string Tenant() => "ten_" + Guid.NewGuid().ToString("N");

    [Theory, MemberData(nameof(Backends))]
    public async Task Sums_and_exact_percentiles_per_model_per_day(string backend)
    {
        var store = await UsageBackends.CreateAsync(backend);
        var tenant = Tenant();
        // Latencies 1..100 ms (shuffled): quantileExact takes index floor(q × 100), so p50 = 51, p90 = 91, p95 = 96, p99 = 100.
        var latencies = Enumerable.Range(1, 100).OrderBy(i => (i * 37) % 101).ToList();
        var records = latencies.Select(l => Row(tenant, Noon.AddSeconds(l), latency: l, ttft: l / 10.0, prompt: l, completion: 2 * l, cost: l * 0.001)).ToList();
        records.Add(Row(tenant, Noon, model: "m2", latency: 7.25, ttft: null, prompt: 3, completion: 0, cost: 0.5));
        await store.WriteAsync(records, CancellationToken.None);

        var days = await store.QueryAsync(new UsageQuery(tenant, Day, Day), CancellationToken.None);

        Assert.Equal(2, days.Count);
        var m1 = days[0];
        Assert.Equal(("m1", new DateOnly(2025, 3, 10)), (m1.Model, m1.Date));
        Assert.Equal(100, m1.Requests);
        Assert.Equal(5050, m1.PromptTokens);
        Assert.Equal(10100, m1.CompletionTokens);
        Assert.Equal(15150, m1.TotalTokens);
        Assert.Equal(5.05, m1.Cost, 1e-9);
        Assert.Equal(new Percentiles(51, 91, 96, 100), m1.Latency);
        Assert.Equal(new Percentiles(5.1, 9.1, 9.6, 10), m1.TimeToFirstToken);
        var m2 = days[1];
        Assert.Equal(("m2", 1L, 3L, 0L), (m2.Model, m2.Requests, m2.PromptTokens, m2.CompletionTokens));
        Assert.Equal(new Percentiles(7.25, 7.25, 7.25, 7.25), m2.Latency);
        Assert.Null(m2.TimeToFirstToken);
        Assert.Equal(0.5, m2.Cost, 1e-12);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task Dates_are_utc_and_inclusive_and_other_tenants_are_invisible(string backend)
    {
        var store = await UsageBackends.CreateAsync(backend);
        var (tenant, other) = (Tenant(), Tenant());
        var first = new DateTimeOffset(2025, 1, 31, 0, 0, 0, TimeSpan.Zero);
        await store.WriteAsync(
        [
            Row(tenant, first.AddMilliseconds(-1)),                      // Jan 30: before the range
            Row(tenant, first),                                          // Jan 31 00:00:00.000
            Row(tenant, new DateTimeOffset(2025, 2, 1, 23, 30, 0, TimeSpan.FromHours(-2))),  // Feb 2 01:30 UTC
            Row(tenant, new DateTimeOffset(2025, 2, 2, 23, 59, 59, 999, TimeSpan.Zero)),    // Feb 2, last millisecond
            Row(tenant, new DateTimeOffset(2025, 2, 3, 0, 0, 0, TimeSpan.Zero)),           // Feb 3: after
            Row(other, first.AddHours(1)),
        ], CancellationToken.None);

        var days = await store.QueryAsync(new UsageQuery(tenant, new DateOnly(2025, 1, 31), new DateOnly(2025, 2, 2)), CancellationToken.None);

        Assert.Equal([(new DateOnly(2025, 1, 31), 1L), (new DateOnly(2025, 2, 2), 2L)], days.Select(d => (d.Date, d.Requests)));
        Assert.Empty(await store.QueryAsync(new UsageQuery(Tenant(), new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)), CancellationToken.None));
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task A_model_filter_and_quotes_in_names_are_taken_literally(string backend)
    {
        var store = await UsageBackends.CreateAsync(backend);
        var tenant = Tenant() + "'\\";
        await store.WriteAsync([Row(tenant, Noon, model: "it's \\ odd"), Row(tenant, Noon, model: "plain"), Row(tenant, Noon, model: "plain")], CancellationToken.None);

        var odd = await store.QueryAsync(new UsageQuery(tenant, Day, Day, "it's \\ odd"), CancellationToken.None);
        Assert.Equal(("it's \\ odd", 1L), (Assert.Single(odd).Model, odd[0].Requests));
        var injected = await store.QueryAsync(new UsageQuery(tenant, Day, Day, "x' OR '1'='1"), CancellationToken.None);
        Assert.Empty(injected);
        var all = await store.QueryAsync(new UsageQuery(tenant, Day, Day), CancellationToken.None);
        Assert.Equal(["it's \\ odd", "plain"], all.Select(a => a.Model));
    }

    /// <summary>Random data against the definition computed here, over group sizes where floor(q × n) rounding matters.</summary>
    [Theory, MemberData(nameof(Backends))]
    public async Task Random_groups_match_the_percentile_definition(string backend)
    {
        var store = await UsageBackends.CreateAsync(backend);
        var tenant = Tenant();
        var random = new Random(8);
        var records = new List<UsageRecord>();
        var sizes = new[] { 1, 2, 3, 7, 10, 19, 20, 21, 99, 101, 250 };
        for (var g = 0; g < sizes.Length; g++)
            for (var i = 0; i < sizes[g]; i++)
                records.Add(Row(tenant, Noon.AddDays(g % 4).AddMinutes(i), model: $"model-{g}", latency: Math.Round(random.NextDouble() * 5000, 3),
                    ttft: random.Next(4) == 0 ? null : Math.Round(random.NextDouble() * 300, 3), prompt: random.Next(1000), completion: random.Next(500)));
        await store.WriteAsync(records, CancellationToken.None);

        var days = await store.QueryAsync(new UsageQuery(tenant, Day, Day.AddDays(3)), CancellationToken.None);

        var expected = records.GroupBy(r => (r.Day, r.Model)).OrderBy(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(g => (g.Key.Day, g.Key.Model)), days.Select(d => (d.Date, d.Model)));
        foreach (var (group, day) in expected.Zip(days))
        {
            Assert.Equal(group.Count(), day.Requests);
            Assert.Equal(group.Sum(r => r.PromptTokens), day.PromptTokens);
            Assert.Equal(group.Sum(r => r.CompletionTokens), day.CompletionTokens);
            Assert.Equal(Reference(group.Select(r => r.LatencyMs)), day.Latency);
            var ttfts = group.Where(r => r.TimeToFirstTokenMs != null).Select(r => r.TimeToFirstTokenMs!.Value).ToList();
            Assert.Equal(ttfts.Count == 0 ? null : Reference(ttfts), day.TimeToFirstToken);
        }
    }

    /// <summary>The definition as ClickHouse documents <c>quantileExact</c>: the sorted values' element at floor(q × n).</summary>
    static Percentiles Reference(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        double At(double q) => sorted[Math.Min((int)(q * sorted.Length), sorted.Length - 1)];
        return new Percentiles(At(0.5), At(0.9), At(0.95), At(0.99));
    }

    [ClickHouseFact]
    public async Task ClickHouse_is_reachable_when_configured()
    {
        var store = await UsageBackends.CreateAsync("clickhouse");
        Assert.StartsWith("ClickHouse at ", store.Name);
    }
}
