using System.Globalization;
using Microsoft.AspNetCore.Http;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>
/// Requests and tokens per minute for each tenant, by its tier's limits, reported in OpenAI's
/// <c>x-ratelimit-{limit,remaining,reset}-{requests,tokens}</c> headers; over a limit is a 429 with <c>Retry-After</c>.
/// The buckets live in <see cref="IRateBuckets"/>: in memory for one process, in the store when processes share it.
/// </summary>
public sealed class TenantRateLimiter(IRateBuckets buckets) : ITokenRateLimiter
{
    /// <summary>Counts one request against the caller's requests-per-minute.</summary>
    public void CountRequest(HttpContext http, Caller caller)
    {
        var limit = caller.Limits.RequestsPerMinute;
        if (limit <= 0) return;
        var state = Take(http, caller, "requests", limit, 1);
        if (!state.Taken)
            throw Exceeded(state, "requests", $"Rate limit reached for tenant '{caller.TenantName}' on requests per minute: limit {limit}. Please try again in {Seconds(state.RetryAfter)}s.");
    }

    /// <remarks>Batch lines are not held to per-minute limits: the job's size was accepted when it was submitted.</remarks>
    public TokenReservation Reserve(HttpContext http, Caller caller, long tokens)
    {
        var limit = caller.Limits.TokensPerMinute;
        if (limit <= 0 || caller.Batch) return new TokenReservation(tokens, _ => { });
        var state = Take(http, caller, "tokens", limit, tokens);
        if (!state.Taken)
            throw Exceeded(state, "tokens", tokens > limit
                ? $"Request too large for tenant '{caller.TenantName}': it may use {tokens} tokens (prompt and max_tokens), more than the limit of {limit} tokens per minute. Use a shorter prompt or a smaller max_tokens."
                : $"Rate limit reached for tenant '{caller.TenantName}' on tokens per minute: limit {limit}, requested {tokens}. Please try again in {Seconds(state.RetryAfter)}s.");
        return new TokenReservation(tokens, unused => buckets.Give(caller.TenantId, "tokens", limit, unused));
    }

    BucketState Take(HttpContext http, Caller caller, string kind, long limit, long amount)
    {
        var state = buckets.TryTake(caller.TenantId, kind, limit, amount);
        var headers = http.Response.Headers;
        headers[$"x-ratelimit-limit-{kind}"] = limit.ToString(CultureInfo.InvariantCulture);
        headers[$"x-ratelimit-remaining-{kind}"] = state.Remaining.ToString(CultureInfo.InvariantCulture);
        headers[$"x-ratelimit-reset-{kind}"] = Duration(state.UntilFull);
        return state;
    }

    static ApiException Exceeded(BucketState state, string kind, string message) =>
        new(StatusCodes.Status429TooManyRequests, new ApiError(message, kind, "rate_limit_exceeded"),
            new Dictionary<string, string> { ["Retry-After"] = Seconds(state.RetryAfter).ToString(CultureInfo.InvariantCulture) });

    static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    /// <summary>OpenAI's reset format: <c>250ms</c>, <c>1.5s</c>, <c>6m0s</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1)) return $"{(long)Math.Ceiling(span.TotalMilliseconds)}ms";
        if (span < TimeSpan.FromMinutes(1)) return $"{Math.Round(span.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture)}s";
        return $"{(long)span.TotalMinutes}m{span.Seconds}s";
    }
}
