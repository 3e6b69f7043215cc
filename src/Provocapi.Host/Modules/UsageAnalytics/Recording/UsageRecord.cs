namespace Provocapi.Host.Modules.UsageAnalytics.Recording;

/// <summary>One metered request as stored: who, which model and endpoint, the tokens, the timings (milliseconds), the status and the cost.</summary>
public sealed record UsageRecord(
    DateTimeOffset Time,
    string RequestId,
    string TenantId,
    string KeyId,
    string Model,
    string? Adapter,
    string Endpoint,
    long PromptTokens,
    long CompletionTokens,
    double LatencyMs,
    double? TimeToFirstTokenMs,
    double QueueMs,
    int StatusCode,
    bool IsBatch,
    double Cost)
{
    /// <summary>The UTC date the request arrived, by which usage is reported.</summary>
    public DateOnly Day => DateOnly.FromDateTime(Time.UtcDateTime);
}
