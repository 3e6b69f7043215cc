using System.Diagnostics;
using System.Text.Json;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Platform.Metering;

/// <summary>
/// What a worker tells the gateway that routed a request about its usage, so the gateway (which meters, limits and
/// records) needs no model: in the <c>X-Provocapi-Usage</c> header of a whole reply, or, for a stream, in a
/// <c>: provocapi-usage {json}</c> comment just before <c>[DONE]</c> (SSE clients ignore comments; the gateway removes it).
/// </summary>
public sealed record UsageReport(long PromptTokens, long CompletionTokens, decimal PromptPrice, decimal CompletionPrice, string? Adapter, double? FirstTokenMs)
{
    public const string Header = "X-Provocapi-Usage";
    public const string CommentPrefix = ": provocapi-usage ";

    /// <summary>The report of a request that arrived at <paramref name="arrivedAt"/> (a <see cref="Stopwatch"/> timestamp); null when it was not metered.</summary>
    public static UsageReport? Of(RequestUsage usage, long arrivedAt) =>
        usage.IsMetered
            ? new UsageReport(usage.PromptTokens, usage.CompletionTokens, usage.PromptPrice, usage.CompletionPrice, usage.Adapter,
                usage.FirstTokenAt is var at and > 0 ? Stopwatch.GetElapsedTime(arrivedAt, at).TotalMilliseconds : null)
            : null;

    public string ToJson() => JsonSerializer.Serialize(this, ApiJson.Options);

    public static UsageReport? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try { return JsonSerializer.Deserialize<UsageReport>(json, ApiJson.Options); }
        catch (JsonException) { return null; }
    }

    /// <summary>Meters the gateway's record of the request with what the worker reported; the worker had it from <paramref name="sentAt"/> on.</summary>
    public void ApplyTo(RequestUsage usage, long sentAt)
    {
        usage.Meter(PromptPrice, CompletionPrice);
        usage.Adapter = Adapter;
        usage.AddRouted(PromptTokens, CompletionTokens);
        if (FirstTokenMs is { } ms) usage.FirstTokenSeen(sentAt + (long)(ms / 1000 * Stopwatch.Frequency));
    }
}
