using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provocapi.Core.Embeddings;
using Provocapi.Core.Scheduling;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Modules.Inference.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c>: one vector per input, in input order. Every input of every request goes through the
/// model's <see cref="EmbeddingScheduler"/>, which batches them into shared forward passes. The prompt tokens are
/// reserved against the tenant's tokens per minute before the work and settled on what ran.
/// </summary>
public static class EmbeddingEndpoint
{
    public static RouteHandlerBuilder MapEmbeddings(this IEndpointRouteBuilder group) =>
        group.MapPost("/embeddings", HandleAsync)
            .WithName("createEmbedding")
            .WithSummary("Create embedding vectors for a string, an array of strings, or token-id arrays, with an embedding model.")
            .AcceptsJson<EmbeddingRequest>()
            .Produces<EmbeddingResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesErrors(400, 401, 404, 413, 429, 502, 503);

    static async Task HandleAsync(HttpContext http, JsonBody body, ModelCatalog catalog, ITokenRateLimiter limiter)
    {
        var request = await body.ReadAsync<EmbeddingRequest>(http);
        var caller = http.Caller();
        var model = catalog.Find(request.RequireModel(), caller);
        http.RequestInfo().Model = model.Id;
        http.RequestUsage().Meter(model.Options.PromptPrice, model.Options.CompletionPrice);
        var embedder = model.RequireEmbeddings();
        request.Validate(embedder);
        var inputs = request.Inputs(embedder);
        var promptTokens = inputs.Sum(i => i.Length);
        var reservation = limiter.Reserve(http, caller, promptTokens);
        var tally = new TokenTally();
        try
        {
            EmbeddingResult result;
            try { result = await embedder.EmbedTokensAsync(inputs, http.RequestAborted); }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { return; }
            catch (Exception e) when (e is not ApiException) { throw Failure(http, e); }
            tally.AddPrompt(result.PromptTokens);
            foreach (var input in inputs) http.RequestUsage().PromptStarted(input);
            var data = result.Vectors.Select((vector, index) =>
            {
                var shaped = request.Dimensions is { } d && d < vector.Length ? EmbeddingModel.Shorten(vector, d) : vector;
                return new EmbeddingData(index, request.Base64 ? Base64(shaped) : shaped);
            }).ToList();
            await TypedResults.Json(new EmbeddingResponse(data, model.Id, new EmbeddingUsage(result.PromptTokens, result.PromptTokens)), ApiJson.Options)
                .ExecuteAsync(http);
        }
        finally
        {
            reservation.Settle(tally.Total);
        }
    }

    /// <summary>The vector's float32 values as little-endian bytes, base64-encoded, as OpenAI sends encoding_format base64.</summary>
    static string Base64(float[] vector)
    {
        var bytes = MemoryMarshal.AsBytes(vector.AsSpan());
        if (!BitConverter.IsLittleEndian)
        {
            var copy = bytes.ToArray();
            for (var i = 0; i < copy.Length; i += 4) copy.AsSpan(i, 4).Reverse();
            return Convert.ToBase64String(copy);
        }
        return Convert.ToBase64String(bytes);
    }

    static ApiException Failure(HttpContext http, Exception e)
    {
        if (e is AdmissionRejectedException rejected)
            return ApiException.Unavailable($"The engine cannot take this request now: {rejected.Message}. Please retry shortly.", "no_capacity",
                (int)Math.Max(1, Math.Ceiling(rejected.RetryAfter.TotalSeconds)));
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbeddingEndpoint))
            .LogError(e, "engine failure in request {RequestId}", http.RequestInfo().RequestId);
        return ApiException.Upstream($"The engine failed while embedding (request {http.RequestInfo().RequestId}).");
    }
}
