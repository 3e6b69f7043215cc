using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provocapi.Core;
using Provocapi.Core.Generation;
using Provocapi.Core.Scheduling;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Sampling;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// One generation for an HTTP request: the engine's stream, cancelled when the client disconnects, with the queue
/// wait recorded for <c>X-Provocapi-Queue-Ms</c>, the tokens it used tallied and metered (with the first token's
/// time) for the usage records, and engine failures turned into API errors: refused admission or no KV memory
/// before the first token is a 503 (no capacity, try again), a tenant over its share of the queue a 429, a failure
/// after that a 502 (the engine failed). A caller that stops early (the client left) still pays for every token
/// generated for it: the tokens the engine made before it saw the cancellation, which nobody read, are counted too.
/// </summary>
public static class EngineCall
{
    public static async IAsyncEnumerable<GenerationChunk> StreamAsync(HttpContext http, LoadedModel engine, GenerationRequest request, TokenTally tally,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cancellationToken);
        await using var chunks = engine.GenerateAsync(request, linked.Token).GetAsyncEnumerator(linked.Token);
        var info = http.RequestInfo();
        var started = false;
        var ended = false;
        void Count(GenerationChunk chunk)
        {
            // A sequence cancelled before its first token (still queued, say) ends with a bare final chunk: no prompt to bill.
            if (chunk.TokenId == null && chunk.Result is { FinishReason: FinishReason.Cancelled }) return;
            if (chunk.TokenId != null)
            {
                tally.AddCompletion();
                info.Usage.CompletionToken();
            }
            if (started) return;
            started = true;
            tally.AddPrompt(request.PromptTokens!.Count);
            info.Usage.PromptStarted(request.PromptTokens);
            if (chunk.QueueTime > info.QueueTime) info.QueueTime = chunk.QueueTime;
        }
        try
        {
            while (true)
            {
                try
                {
                    if (!await chunks.MoveNextAsync())
                    {
                        ended = true;
                        yield break;
                    }
                }
                catch (Exception e) when (e is not (OperationCanceledException or ApiException))
                {
                    ended = true;
                    throw Failure(http, e is ChannelClosedException { InnerException: { } inner } ? inner : e, started);
                }
                Count(chunks.Current);
                yield return chunks.Current;
            }
        }
        finally
        {
            if (!ended)
            {
                // Left early: cancel, then read what the engine made before it stopped (a step's worth at most after the
                // chunks already waiting), so the usage records count it.
                await linked.CancelAsync();
                try
                {
                    while (await chunks.MoveNextAsync()) Count(chunks.Current);
                }
                catch (Exception)
                {
                    // The sequence ended with an error after its caller left: there is nobody to tell, and what was
                    // counted stands.
                }
            }
        }
    }

    /// <summary>Runs a generation to its end; null when the client went away first.</summary>
    public static async Task<GenerationResult?> ResultAsync(HttpContext http, LoadedModel engine, GenerationRequest request, TokenTally tally)
    {
        GenerationResult? result = null;
        await foreach (var chunk in StreamAsync(http, engine, request, tally))
            result ??= chunk.Result;
        return result is { FinishReason: FinishReason.Cancelled } ? null : result;
    }

    static ApiException Failure(HttpContext http, Exception e, bool started)
    {
        switch (e)
        {
            case AdmissionRejectedException { Reason: AdmissionRejection.FairShareExceeded } rejected:
                return new ApiException(StatusCodes.Status429TooManyRequests,
                    new ApiError($"Too many of your requests are waiting for this model: {rejected.Message}. Please retry later.", "requests", "rate_limit_exceeded"),
                    RetryAfter(rejected));
            case AdmissionRejectedException rejected:
                return ApiException.Unavailable($"The engine cannot take this request now: {rejected.Message}. Please retry shortly.", "no_capacity",
                    (int)Math.Max(1, Math.Ceiling(rejected.RetryAfter.TotalSeconds)));
            case KvCacheFullException when !started:
                return ApiException.Unavailable("The engine has no KV-cache memory free for this request right now. Please retry shortly.", "no_capacity", retryAfterSeconds: 1);
            case KvCacheFullException:
                return ApiException.Upstream("The engine ran out of KV-cache memory during generation.");
            case NonFiniteLogitsException:
                return ApiException.Upstream($"The engine failed during generation: {e.Message}.");
            case PromptTooLongException tooLong:
                return ApiException.BadRequest(tooLong.Message, "messages", "context_length_exceeded");
            default:
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EngineCall))
                    .LogError(e, "engine failure in request {RequestId}", http.RequestInfo().RequestId);
                return ApiException.Upstream($"The engine failed during generation (request {http.RequestInfo().RequestId}).");
        }
    }

    static Dictionary<string, string> RetryAfter(AdmissionRejectedException rejected) =>
        new() { ["Retry-After"] = Math.Max(1, (long)Math.Ceiling(rejected.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
