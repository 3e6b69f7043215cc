using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Templates;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tokenizers;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.ChatCompletions;

/// <summary><c>POST /v1/chat/completions</c>: one reply, whole or streamed as server-sent events.</summary>
public static class ChatCompletionEndpoint
{
    public static RouteHandlerBuilder MapChatCompletions(this IEndpointRouteBuilder group) =>
        group.MapPost("/chat/completions", HandleAsync)
            .WithName("createChatCompletion")
            .WithSummary("Create a chat completion; with stream: true, as server-sent events of chat.completion.chunk objects.")
            .AcceptsJson<ChatCompletionRequest>()
            .Produces<ChatCompletionResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesEventStream<ChatCompletionChunk>()
            .ProducesErrors(400, 401, 404, 413, 429, 502, 503);

    static async Task HandleAsync(HttpContext http, JsonBody body, ModelCatalog catalog, ITokenRateLimiter limiter)
    {
        var (request, model, engine) = await GenerationCall<ChatCompletionRequest>.ReadAsync(http, body, catalog);
        var conversation = request.ConversationText();
        ChatPrompt prompt;
        try { prompt = ChatPrompt.For(engine, conversation); }
        catch (ChatTemplateException e)
        {
            throw ApiException.BadRequest($"The model's chat template refused these messages: {e.Message}", "messages", "invalid_value");
        }
        var tokens = engine.Model.Tokenizer.Encode(prompt.Text, addSpecial: prompt.AddSpecialTokens, parseSpecial: true);
        var generation = GenerationPlan.Create(http, request, model, tokens, "messages", prompt.StopStrings);
        var generations = GenerationParameters.Choose(generation, request.Choices).ToList();
        var reservation = GenerationPlan.Reserve(http, limiter, generations);
        var tally = new TokenTally();
        try
        {
            var id = OpenAiNames.ResponseId("chatcmpl");
            var created = OpenAiNames.UnixNow();
            if (request.IsStreaming)
            {
                await StreamAsync(http, request, engine.Model.Tokenizer, model.Id, id, created, generations.Select(g => EngineCall.StreamAsync(http, engine, g, tally)).ToList());
                return;
            }
            // The choices generate concurrently, so the scheduler batches them.
            var results = await Task.WhenAll(generations.Select(g => EngineCall.ResultAsync(http, engine, g, tally)));
            if (results.Any(r => r == null)) return;
            var tokenizer = engine.Model.Tokenizer;
            var choices = results.Select((r, i) => new ChatChoice(i, new AssistantMessage(r!.Text),
                r.Logprobs is { } logprobs ? ChatLogprobs.Of(tokenizer, logprobs) : null, OpenAiNames.FinishReason(r.FinishReason))).ToList();
            await TypedResults.Json(new ChatCompletionResponse(id, created, model.Id, choices, Usage.Of(results!, results.Length)), ApiJson.Options).ExecuteAsync(http);
        }
        finally
        {
            reservation.Settle(tally.Total);
        }
    }

    static Task StreamAsync(HttpContext http, ChatCompletionRequest request, Tokenizer tokenizer, string model, string id, long created,
        IReadOnlyList<IAsyncEnumerable<GenerationChunk>> choices)
    {
        ChatCompletionChunk Chunk(int index, ChatDelta delta, string? finish = null, TokenLogprob? logprob = null) =>
            new(id, created, model, [new ChatChunkChoice(index, delta, logprob != null ? ChatLogprobs.Of(tokenizer, [logprob]) : null, finish)]);
        return ChoiceStreams.WriteEventsAsync(http, choices, async (events, index, chunk, first) =>
        {
            if (first) await events.WriteAsync(Chunk(index, new ChatDelta("assistant", "")));
            if (chunk.Result is { } final)
                await events.WriteAsync(Chunk(index, new ChatDelta(Content: chunk.Text.Length > 0 ? chunk.Text : null), OpenAiNames.FinishReason(final.FinishReason), chunk.Logprob));
            else if (chunk.Text.Length > 0 || chunk.Logprob != null) await events.WriteAsync(Chunk(index, new ChatDelta(Content: chunk.Text), logprob: chunk.Logprob));
        }, request.IncludeUsage ? results => new ChatCompletionChunk(id, created, model, [], Usage.Of(results, results.Count)) : null);
    }
}
