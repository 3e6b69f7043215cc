using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Core.Generation;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.Completions;

/// <summary><c>POST /v1/completions</c>: legacy text completion, one choice per prompt, whole or streamed.</summary>
public static class CompletionEndpoint
{
    public static RouteHandlerBuilder MapCompletions(this IEndpointRouteBuilder group) =>
        group.MapPost("/completions", HandleAsync)
            .WithName("createCompletion")
            .WithSummary("Create a text completion for a prompt or an array of prompts; with stream: true, as server-sent events.")
            .AcceptsJson<CompletionRequest>()
            .Produces<CompletionResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesEventStream<CompletionResponse>()
            .ProducesErrors(400, 401, 404, 413, 429, 502, 503);

    static async Task HandleAsync(HttpContext http, JsonBody body, ModelCatalog catalog, ITokenRateLimiter limiter)
    {
        var (request, model, engine) = await GenerationCall<CompletionRequest>.ReadAsync(http, body, catalog);
        var prompts = request.Prompts(engine.Model.Tokenizer);
        var generations = prompts.Select(p => GenerationPlan.Create(http, request, model, p.Tokens, "prompt", [])).ToList();
        var reservation = GenerationPlan.Reserve(http, limiter, generations);
        var tally = new TokenTally();
        var results = new List<GenerationResult>();
        var id = OpenAiNames.ResponseId("cmpl");
        var created = OpenAiNames.UnixNow();
        var echo = request.Echo == true;
        try
        {
            if (request.IsStreaming)
            {
                await StreamAsync(http, request, engine, model.Id, id, created, prompts, generations, results, tally);
                return;
            }
            // The prompts generate concurrently, so the scheduler batches them into shared steps.
            var finished = await Task.WhenAll(generations.Select(g => ResultAsync(http, engine, g, tally)));
            if (finished.Any(r => r is null or { FinishReason: FinishReason.Cancelled })) return;
            results.AddRange(finished!);
            var choices = results.Select((r, i) => new CompletionChoice((echo ? prompts[i].Text : "") + r.Text, i, null, OpenAiNames.FinishReason(r.FinishReason))).ToList();
            await TypedResults.Json(new CompletionResponse(id, created, model.Id, choices, Usage.Of(results)), ApiJson.Options).ExecuteAsync(http);
        }
        finally
        {
            reservation.Settle(tally.Total);
        }
    }

    static async Task<GenerationResult?> ResultAsync(HttpContext http, Core.LoadedModel engine, GenerationRequest generation, TokenTally tally)
    {
        GenerationResult? result = null;
        await foreach (var chunk in EngineCall.StreamAsync(http, engine, generation, tally))
            result ??= chunk.Result;
        return result;
    }

    static async Task StreamAsync(HttpContext http, CompletionRequest request, Core.LoadedModel engine, string model, string id, long created,
        IReadOnlyList<CompletionRequest.PromptInput> prompts, IReadOnlyList<GenerationRequest> generations, List<GenerationResult> results, TokenTally tally)
    {
        var events = new ServerSentEvents(http.Response);
        CompletionResponse Event(int index, string text, string? finish) => new(id, created, model, [new CompletionChoice(text, index, null, finish)], null);
        try
        {
            for (var i = 0; i < generations.Count; i++)
            {
                var first = true;
                await foreach (var chunk in EngineCall.StreamAsync(http, engine, generations[i], tally))
                {
                    if (!events.Started) await events.StartAsync();
                    var text = (first && request.Echo == true ? prompts[i].Text : "") + chunk.Text;
                    first = false;
                    if (chunk.Result is { } final)
                    {
                        if (final.FinishReason == FinishReason.Cancelled) return;
                        results.Add(final);
                        await events.WriteAsync(Event(i, text, OpenAiNames.FinishReason(final.FinishReason)));
                    }
                    else if (text.Length > 0) await events.WriteAsync(Event(i, text, null));
                }
            }
        }
        catch (ApiException e) when (events.Started)
        {
            await events.FailAsync(e.Error);
            return;
        }
        if (request.IncludeUsage) await events.WriteAsync(new CompletionResponse(id, created, model, [], Usage.Of(results)));
        await events.DoneAsync();
    }
}
