using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Provocapi.Host.Platform.Headers;

namespace Provocapi.Host.Platform.Metering;

/// <summary>
/// What one request used, for the usage records: filled in by the endpoint that serves it (its prices, the tokens,
/// the first token's time) and read when the request ends. Thread-safe: a request's choices generate concurrently.
/// </summary>
public sealed class RequestUsage
{
    readonly Lock _lock = new();
    readonly List<object> _prompts = [];
    long _promptTokens, _completionTokens, _firstTokenAt;

    /// <summary>Set once an inference endpoint has resolved the model: only such requests are recorded.</summary>
    public bool IsMetered { get; private set; }
    /// <summary>Price per million prompt tokens.</summary>
    public decimal PromptPrice { get; private set; }
    /// <summary>Price per million completion tokens.</summary>
    public decimal CompletionPrice { get; private set; }
    /// <summary>The LoRA adapter that served the request, if any (issue 7).</summary>
    public string? Adapter { get; set; }
    /// <summary>Batch work costs half (issue 6 sets it).</summary>
    public bool IsBatch { get; set; }

    public long PromptTokens => Interlocked.Read(ref _promptTokens);
    public long CompletionTokens => Interlocked.Read(ref _completionTokens);
    /// <summary>The <see cref="Stopwatch"/> timestamp of the first generated token; 0 before it.</summary>
    public long FirstTokenAt => Interlocked.Read(ref _firstTokenAt);

    /// <summary>Marks the request as billable at the served model's prices (per million tokens).</summary>
    public void Meter(decimal promptPrice, decimal completionPrice)
    {
        PromptPrice = promptPrice;
        CompletionPrice = completionPrice;
        IsMetered = true;
    }

    /// <summary>
    /// A generation started on <paramref name="prompt"/>. The choices of one prompt share its token list, so a prompt
    /// counts once however many choices it has, as the response's <c>usage</c> counts it.
    /// </summary>
    public void PromptStarted(IReadOnlyList<int> prompt)
    {
        lock (_lock)
        {
            foreach (var seen in _prompts)
                if (ReferenceEquals(seen, prompt)) return;
            _prompts.Add(prompt);
        }
        Interlocked.Add(ref _promptTokens, prompt.Count);
    }

    public void CompletionToken()
    {
        Interlocked.CompareExchange(ref _firstTokenAt, Stopwatch.GetTimestamp(), 0);
        Interlocked.Increment(ref _completionTokens);
    }

    /// <summary>Tokens a worker counted for a request this gateway routed (see <see cref="UsageReport"/>).</summary>
    public void AddRouted(long promptTokens, long completionTokens)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _completionTokens, completionTokens);
    }

    /// <summary>Marks the first generated token's arrival at <paramref name="timestamp"/> unless one is already known.</summary>
    public void FirstTokenSeen(long timestamp) => Interlocked.CompareExchange(ref _firstTokenAt, timestamp, 0);

    /// <summary>Prompt and completion tokens at the model's prices; batch work at half price.</summary>
    public decimal Cost()
    {
        var cost = (PromptTokens * PromptPrice + CompletionTokens * CompletionPrice) / 1_000_000m;
        return IsBatch ? cost / 2 : cost;
    }
}

public static class RequestUsageExtensions
{
    public static RequestUsage RequestUsage(this HttpContext http) => http.RequestInfo().Usage;
}
