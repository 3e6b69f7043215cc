using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Provocapi.Core;
using Provocapi.Core.Generation;
using Provocapi.Engine.KvCache;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// One generation for an HTTP request: the engine's stream, cancelled when the client disconnects, with the queue
/// wait recorded for <c>X-Provocapi-Queue-Ms</c> and engine failures turned into API errors: out of KV memory
/// before the first token is a 503 (no capacity, try again), anything else a 502 (the engine failed).
/// </summary>
public static class EngineCall
{
    public static async IAsyncEnumerable<GenerationChunk> StreamAsync(HttpContext http, LoadedModel engine, GenerationRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cancellationToken);
        await using var chunks = engine.GenerateAsync(request, linked.Token).GetAsyncEnumerator(linked.Token);
        var started = false;
        while (true)
        {
            try
            {
                if (!await chunks.MoveNextAsync()) yield break;
            }
            catch (Exception e) when (e is not (OperationCanceledException or ApiException))
            {
                throw Failure(e is ChannelClosedException { InnerException: { } inner } ? inner : e, started);
            }
            if (!started)
            {
                started = true;
                var info = http.RequestInfo();
                if (chunks.Current.QueueTime > info.QueueTime) info.QueueTime = chunks.Current.QueueTime;
            }
            yield return chunks.Current;
        }
    }

    static ApiException Failure(Exception e, bool started) => e switch
    {
        KvCacheFullException when !started => ApiException.Unavailable(
            "The engine has no KV-cache memory free for this request right now. Please retry shortly.", "no_capacity", retryAfterSeconds: 1),
        KvCacheFullException => ApiException.Upstream("The engine ran out of KV-cache memory during generation."),
        PromptTooLongException tooLong => ApiException.BadRequest(tooLong.Message, "messages", "context_length_exceeded"),
        _ => ApiException.Upstream($"The engine failed during generation: {e.Message}"),
    };
}
