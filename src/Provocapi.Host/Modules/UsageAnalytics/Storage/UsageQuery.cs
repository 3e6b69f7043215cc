namespace Provocapi.Host.Modules.UsageAnalytics.Storage;

/// <summary>One tenant's usage from <see cref="From"/> to <see cref="To"/> (UTC dates, inclusive), optionally of one model.</summary>
public sealed record UsageQuery(string TenantId, DateOnly From, DateOnly To, string? Model = null);

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Percentiles(double P50, double P90, double P95, double P99);

/// <summary>One model's usage on one day.</summary>
public sealed record UsageDay(DateOnly Date, string Model, long Requests, long PromptTokens, long CompletionTokens, double Cost,
    Percentiles Latency, Percentiles? TimeToFirstToken)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}
