using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tokenizers;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
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
        // Choice index = prompt index × n + choice, as OpenAI orders them.
        var choices = request.Choices;
        var generations = prompts.SelectMany(p => GenerationParameters.Choose(GenerationPlan.Create(http, request, model, p.Tokens, "prompt", []), choices)).ToList();
        var reservation = GenerationPlan.Reserve(http, limiter, generations);
        var tally = new TokenTally();
        var id = OpenAiNames.ResponseId("cmpl");
        var created = OpenAiNames.UnixNow();
        string Echo(int index) => request.Echo == true ? prompts[index / choices].Text : "";
        try
        {
            if (request.IsStreaming)
            {
                await StreamAsync(http, request, engine.Model.Tokenizer, http.RequestInfo().Model!, id, created, Echo, generations.Select(g => EngineCall.StreamAsync(http, engine, g, tally)).ToList());
                return;
            }
            // Every prompt and choice generates concurrently, so the scheduler batches them.
            var results = await Task.WhenAll(generations.Select(g => EngineCall.ResultAsync(http, engine, g, tally)));
            if (results.Any(r => r == null)) return;
            var tokenizer = engine.Model.Tokenizer;
            var texts = results.Select((r, i) => new CompletionChoice(Echo(i) + r!.Text, i,
                r.Logprobs is { } logprobs ? CompletionLogprobs.Of(tokenizer, logprobs, Echo(i).Length) : null, OpenAiNames.FinishReason(r.FinishReason))).ToList();
            await TypedResults.Json(new CompletionResponse(id, created, http.RequestInfo().Model!, texts, Usage.Of(results!, choices)), ApiJson.Options).ExecuteAsync(http);
        }
        finally
        {
            reservation.Settle(tally.Total);
        }
    }

    static Task StreamAsync(HttpContext http, CompletionRequest request, Tokenizer tokenizer, string model, string id, long created, Func<int, string> echo,
        IReadOnlyList<IAsyncEnumerable<GenerationChunk>> choices)
    {
        var written = new int[choices.Count];
        return ChoiceStreams.WriteEventsAsync(http, choices, (events, index, chunk, first) =>
        {
            var prefix = first ? echo(index) : "";
            var text = prefix + chunk.Text;
            var finish = chunk.Result is { } final ? OpenAiNames.FinishReason(final.FinishReason) : null;
            if (finish == null && text.Length == 0 && chunk.Logprob == null) return Task.CompletedTask;
            // The token's text starts after what this choice streamed before, and after the echoed prompt in its first event.
            var logprobs = chunk.Logprob is { } logprob ? CompletionLogprobs.Of(tokenizer, [logprob], written[index] + prefix.Length) : null;
            written[index] += text.Length;
            return events.WriteAsync(new CompletionResponse(id, created, model, [new CompletionChoice(text, index, logprobs, finish)], null));
        }, request.IncludeUsage ? results => new CompletionResponse(id, created, model, [], Usage.Of(results, request.Choices)) : null);
    }
}
