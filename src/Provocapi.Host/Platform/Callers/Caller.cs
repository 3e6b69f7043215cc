using Microsoft.AspNetCore.Http;

namespace Provocapi.Host.Platform.Callers;

/// <summary>A tenant's service level; each has its own rate limits and caps.</summary>
public enum Tier
{
    Shared,
    Reserved,
    Dedicated,
}

/// <summary>What a tier allows: requests and tokens per minute (0 = unlimited) and the largest <c>max_tokens</c> (0 = no cap).</summary>
public sealed record TierLimits
{
    public int RequestsPerMinute { get; set; }
    public long TokensPerMinute { get; set; }
    public int MaxTokens { get; set; }
}

/// <summary>The authenticated caller of a request: its tenant, tier and key.</summary>
public sealed record Caller(string TenantId, string TenantName, Tier Tier, string KeyId, TierLimits Limits)
{
    /// <summary>A batch job's line run for this tenant: batch priority, no per-minute limits, half price.</summary>
    public bool Batch { get; init; }
}

public static class CallerExtensions
{
    /// <summary>The caller the API-key middleware authenticated; every <c>/v1</c> endpoint has one.</summary>
    public static Caller Caller(this HttpContext http) =>
        http.Features.Get<Caller>() ?? throw new InvalidOperationException("the API-key middleware did not run for " + http.Request.Path);
}
