using System.Xml.Linq;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Modules.UsageAnalytics.Chart;
using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Modules.UsageAnalytics.Report;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Store;
using Provocapi.Host.Tests.Cli;

namespace Provocapi.Host.Tests.UsageAnalytics;

/// <summary><c>provocapi usage</c>: the table and the SVG chart, from the data folder's store.</summary>
public sealed class UsageCommandTests : IDisposable
{
    readonly string _data = Directory.CreateTempSubdirectory("provocapi-usage-cli-").FullName;
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static UsageRecord Row(string tenant, DateOnly day, string model, long prompt, long completion, double latency) =>
        new(new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero), "req_" + Guid.NewGuid().ToString("N"), tenant, "key_1", model, null,
            "/v1/chat/completions", prompt, completion, latency, latency / 4, 0, 200, false, 0.25);

    /// <summary>Two models over 1 to 5 March; nothing on the 3rd; model b only on the 4th and 5th.</summary>
    async Task<string> SeedAsync()
    {
        var sqlite = new SqliteDatabase(_data).Migrate();
        var tenant = new KeyStore(sqlite).CreateKey("acme", null).Tenant.Id;
        var rows = new List<UsageRecord>();
        foreach (var d in new[] { 1, 2, 4, 5 })
            for (var i = 0; i < 4; i++) rows.Add(Row(tenant, new DateOnly(2025, 3, d), "a", 100 * d, 10 * d, 50 + 10 * i));
        rows.Add(Row(tenant, new DateOnly(2025, 3, 4), "b", 7, 3, 900));
        rows.Add(Row(tenant, new DateOnly(2025, 3, 5), "b", 7, 3, 800));
        rows.Add(Row("someone-else", new DateOnly(2025, 3, 2), "a", 1, 1, 1));
        await new SqliteUsageStore(sqlite).WriteAsync(rows, CancellationToken.None);
        return tenant;
    }

    [Fact]
    public async Task Prints_the_table_and_writes_a_chart_with_a_bar_per_day_and_latency_lines_per_model()
    {
        await SeedAsync();
        var chart = Path.Combine(_data, "usage.svg");

        var outcome = await ProvocapiProcess.RunAsync(["usage", "--tenant", "acme", "--from", "2025-03-01", "--to", "2025-03-05", "--chart", chart, "--data", _data]);

        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        var lines = outcome.Stdout.TrimEnd().Split('\n');
        Assert.Equal(8, lines.Length);
        Assert.Matches(@"^date\s+model\s+requests\s+prompt\s+completion\s+total\s+cost\s+p50 ms", lines[0]);
        // 2 March, model a: 4 requests of 200 + 20 tokens, latencies 50..80 ms (p50 = index 2 = 70, p99 = 80), first tokens a quarter of that.
        Assert.Matches(@"^2025-03-02\s+a\s+4\s+800\s+80\s+880\s+1\s+70\.0\s+80\.0\s+80\.0\s+80\.0\s+17\.5\s+20\.0$", lines[2]);
        Assert.Matches(@"^2025-03-04\s+b\s+1\s+7\s+3\s+10\s+0\.25\s+900\.0", lines[4]);
        Assert.Matches(@"^total\s+18\s+4814\s+486\s+5300\s+4\.5$", lines[7]);

        var svg = XDocument.Load(chart).Root!;
        Assert.Equal(Svg + "svg", svg.Name);
        var bars = svg.Descendants(Svg + "rect").Where(r => ((string?)r.Attribute("class"))?.StartsWith("bar ", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(["2025-03-01", "2025-03-02", "2025-03-04", "2025-03-05"], bars.Where(b => (string?)b.Attribute("class") == "bar prompt").Select(b => (string)b.Attribute("data-day")!));
        Assert.Equal(4, bars.Count(b => (string?)b.Attribute("class") == "bar completion"));
        // 5 March holds the most tokens (4 × 550 + 10), so its bar is the tallest.
        var heights = bars.GroupBy(b => (string)b.Attribute("data-day")!).ToDictionary(g => g.Key, g => g.Sum(b => double.Parse((string)b.Attribute("height")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("2025-03-05", heights.MaxBy(h => h.Value).Key);
        Assert.True(heights["2025-03-01"] < heights["2025-03-02"]);
        var lines2 = svg.Descendants(Svg + "polyline").ToList();
        Assert.Equal([("a", "latency p50", 4), ("a", "latency p99", 4), ("b", "latency p50", 2), ("b", "latency p99", 2)],
            lines2.Select(l => ((string)l.Attribute("data-model")!, (string)l.Attribute("class")!, ((string)l.Attribute("points")!).Split(' ').Length)));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "latency (ms)");
    }

    [Fact]
    public void An_empty_report_still_draws_axes()
    {
        var svg = XDocument.Parse(UsageChart.Svg([], new UsageDateRange(new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 31)), "nothing")).Root!;
        Assert.Empty(svg.Descendants(Svg + "polyline"));
        Assert.Equal(11, svg.Descendants(Svg + "text").Count(t => ((string?)t.Attribute("class")) == "day"));
    }

    [Fact]
    public async Task Bad_arguments_are_one_line_errors()
    {
        await SeedAsync();
        foreach (var (args, message) in new (string[], string)[]
        {
            (["--tenant", "acme", "--from", "2025-03-05", "--to", "2025-03-01"], "--to (2025-03-01) is before --from"),
            (["--tenant", "acme", "--from", "March", "--to", "2025-03-01"], "Invalid --from"),
            (["--tenant", "nobody", "--from", "2025-03-01", "--to", "2025-03-01"], "no tenant named 'nobody'"),
            (["--from", "2025-03-01", "--to", "2025-03-01"], "--tenant is required"),
        })
        {
            var outcome = await ProvocapiProcess.RunAsync(["usage", .. args, "--data", _data]);
            Assert.Equal(1, outcome.ExitCode);
            var line = Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", line);
            Assert.Contains(message, line);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
