using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Templates;
using Provocapi.Core.Generation;
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
        var reservation = GenerationPlan.Reserve(http, limiter, [generation]);
        var tally = new TokenTally();
        GenerationResult? result = null;
        try
        {
            var id = OpenAiNames.ResponseId("chatcmpl");
            var created = OpenAiNames.UnixNow();
            if (request.IsStreaming) result = await StreamAsync(http, request, model.Id, id, created, EngineCall.StreamAsync(http, engine, generation, tally));
            else
            {
                await foreach (var chunk in EngineCall.StreamAsync(http, engine, generation, tally))
                    result ??= chunk.Result;
                if (result is null or { FinishReason: FinishReason.Cancelled }) return;
                var choice = new ChatChoice(0, new AssistantMessage(result.Text), null, OpenAiNames.FinishReason(result.FinishReason));
                await TypedResults.Json(new ChatCompletionResponse(id, created, model.Id, [choice], Usage.Of([result])), ApiJson.Options).ExecuteAsync(http);
            }
        }
        finally
        {
            reservation.Settle(tally.Total);
        }
    }

    static async Task<GenerationResult?> StreamAsync(HttpContext http, ChatCompletionRequest request, string model, string id, long created,
        IAsyncEnumerable<GenerationChunk> chunks)
    {
        var events = new ServerSentEvents(http.Response);
        ChatCompletionChunk Chunk(ChatDelta delta, string? finish = null) => new(id, created, model, [new ChatChunkChoice(0, delta, null, finish)]);
        GenerationResult? result = null;
        try
        {
            await foreach (var chunk in chunks)
            {
                if (!events.Started)
                {
                    await events.StartAsync();
                    await events.WriteAsync(Chunk(new ChatDelta("assistant", "")));
                }
                if (chunk.Result is { } final)
                {
                    result = final;
                    if (final.FinishReason == FinishReason.Cancelled) return result;
                    await events.WriteAsync(Chunk(new ChatDelta(Content: chunk.Text.Length > 0 ? chunk.Text : null), OpenAiNames.FinishReason(final.FinishReason)));
                }
                else if (chunk.Text.Length > 0) await events.WriteAsync(Chunk(new ChatDelta(Content: chunk.Text)));
            }
        }
        catch (ApiException e) when (events.Started)
        {
            await events.FailAsync(e.Error);
            return result;
        }
        if (result == null) return null;
        if (request.IncludeUsage) await events.WriteAsync(new ChatCompletionChunk(id, created, model, [], Usage.Of([result])));
        await events.DoneAsync();
        return result;
    }
}
