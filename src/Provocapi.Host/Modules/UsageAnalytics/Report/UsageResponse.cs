using System.Text.Json.Serialization;
using Provocapi.Host.Modules.UsageAnalytics.Storage;

namespace Provocapi.Host.Modules.UsageAnalytics.Report;

/// <summary>Latency percentiles in milliseconds, rounded to the microsecond.</summary>
public sealed record LatencyPercentiles(double P50, double P90, double P95, double P99)
{
    public static LatencyPercentiles? Of(Percentiles? p) => p == null ? null : new(Ms(p.P50), Ms(p.P90), Ms(p.P95), Ms(p.P99));

    static double Ms(double value) => Math.Round(value, 3);
}

/// <summary>One model's usage on one UTC day; <c>time_to_first_token_ms</c> is null when no request produced a token.</summary>
public sealed record UsageEntry(string Date, string Model, long Requests, long PromptTokens, long CompletionTokens, long TotalTokens, double Cost,
    LatencyPercentiles LatencyMs, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LatencyPercentiles? TimeToFirstTokenMs)
{
    [JsonPropertyOrder(-1)]
    public string Object => "usage.day";

    public static UsageEntry Of(UsageDay day) => new(day.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), day.Model,
        day.Requests, day.PromptTokens, day.CompletionTokens, day.TotalTokens, Math.Round(day.Cost, 9), LatencyPercentiles.Of(day.Latency)!,
        LatencyPercentiles.Of(day.TimeToFirstToken));
}

/// <summary><c>GET /v1/usage</c>'s answer: the entries in (date, model) order.</summary>
public sealed record UsageResponse(string StartDate, string EndDate, IReadOnlyList<UsageEntry> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}
