using System.Globalization;
using System.Text;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Modules.UsageAnalytics;
using Provocapi.Host.Modules.UsageAnalytics.Chart;
using Provocapi.Host.Modules.UsageAnalytics.Report;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Store;

namespace Provocapi.Host.Cli;

/// <summary>
/// <c>provocapi usage --tenant NAME --from DATE --to DATE [--model M] [--chart FILE.svg] [--data DIR]
/// [--clickhouse URL [--clickhouse-database DB]]</c>: a tenant's usage per model per day as a table, and as an SVG chart.
/// </summary>
public static class UsageCommand
{
    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var tenantName = options.Required("--tenant", "the tenant's name");
        var (range, _, problem) = UsageDateRange.Parse(options.Required("--from", "the first UTC date, YYYY-MM-DD"),
            options.Required("--to", "the last UTC date, YYYY-MM-DD"), "--from", "--to");
        if (range == null) throw new CommandLineException(problem!.Replace("'", "", StringComparison.Ordinal));
        var model = options.String("--model");
        var chart = options.String("--chart");
        var location = StoreLocation.From(options);
        var clickHouse = options.String("--clickhouse");
        var database = options.String("--clickhouse-database");
        options.RejectUnknown();

        var tenant = new KeyStore(location.OpenMigrated()).FindTenant(tenantName) ?? throw new CommandLineException($"no tenant named '{tenantName}' in {location}");
        IUsageStore store = clickHouse != null
            ? new ClickHouseUsageStore(new ClickHouseOptions { Url = clickHouse, Database = database ?? new ClickHouseOptions().Database }, new HttpClient())
            : new SqliteUsageStore(new SqliteDatabase(location.DataDirectory).Migrate());
        IReadOnlyList<UsageDay> days;
        try
        {
            days = await store.QueryAsync(new UsageQuery(tenant.Id, range.From, range.To, model), CancellationToken.None);
        }
        catch (HttpRequestException e)
        {
            throw new CommandLineException($"cannot read usage from {store.Name}: {e.Message}");
        }
        Console.Write(Table(days));
        if (chart != null)
        {
            var title = $"{tenantName}: usage {range.From:yyyy-MM-dd} to {range.To:yyyy-MM-dd}" + (model != null ? $" ({model})" : "");
            await File.WriteAllTextAsync(chart, UsageChart.Svg(days, range, title));
            Console.Error.WriteLine($"wrote {chart}");
        }
        return 0;
    }

    static string Table(IReadOnlyList<UsageDay> days)
    {
        string[] header = ["date", "model", "requests", "prompt", "completion", "total", "cost", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "ttft p50", "ttft p99"];
        var rows = new List<string[]> { header };
        rows.AddRange(days.Select(d => new[]
        {
            d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Model, N(d.Requests), N(d.PromptTokens), N(d.CompletionTokens), N(d.TotalTokens),
            d.Cost.ToString("0.######", CultureInfo.InvariantCulture), Ms(d.Latency.P50), Ms(d.Latency.P90), Ms(d.Latency.P95), Ms(d.Latency.P99),
            d.TimeToFirstToken is { } t ? Ms(t.P50) : "-", d.TimeToFirstToken is { } u ? Ms(u.P99) : "-",
        }));
        rows.Add(["total", "", N(days.Sum(d => d.Requests)), N(days.Sum(d => d.PromptTokens)), N(days.Sum(d => d.CompletionTokens)), N(days.Sum(d => d.TotalTokens)),
            days.Sum(d => d.Cost).ToString("0.######", CultureInfo.InvariantCulture), "", "", "", "", "", ""]);
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        return text.ToString();
    }

    static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
