using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Core;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Templates;
using Provocapi.Core.Chat.Tools;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Sampling.Grammar;
using Provocapi.Engine.Tokenizers;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
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
        var turn = Turn(request, engine);
        var tokens = turn.Prompt.Tokenize(engine.Model.Tokenizer);
        var generation = turn.Apply(GenerationPlan.Create(http, request, model, tokens, "messages", []));
        var generations = GenerationParameters.Choose(generation, request.Choices).ToList();
        var reservation = GenerationPlan.Reserve(http, limiter, generations);
        var tally = new TokenTally();
        try
        {
            var id = OpenAiNames.ResponseId("chatcmpl");
            var created = OpenAiNames.UnixNow();
            if (request.IsStreaming)
            {
                await StreamAsync(http, request, turn, engine.Model.Tokenizer, http.RequestInfo().Model!, id, created, generations.Select(g => EngineCall.StreamAsync(http, engine, g, tally)).ToList());
                return;
            }
            // The choices generate concurrently, so the scheduler batches them.
            var results = await Task.WhenAll(generations.Select(g => EngineCall.ResultAsync(http, engine, g, tally)));
            if (results.Any(r => r == null)) return;
            var tokenizer = engine.Model.Tokenizer;
            var choices = results.Select((r, i) =>
            {
                var reply = turn.Reply(r!.Text);
                var message = reply.Calls.Count == 0
                    ? new AssistantMessage(reply.Content)
                    : new AssistantMessage(reply.Content.Length > 0 ? reply.Content : null, reply.Calls.Select(Output).ToList());
                return new ChatChoice(i, message, r.Logprobs is { } logprobs ? ChatLogprobs.Of(tokenizer, logprobs) : null,
                    reply.Calls.Count > 0 ? "tool_calls" : OpenAiNames.FinishReason(r.FinishReason));
            }).ToList();
            await TypedResults.Json(new ChatCompletionResponse(id, created, http.RequestInfo().Model!, choices, Usage.Of(results!, results.Length)), ApiJson.Options).ExecuteAsync(http);
        }
        finally
        {
            reservation.Settle(tally.Total);
        }
    }

    /// <summary>The request's conversation, tools and output format, prepared for this model.</summary>
    static ChatTurn Turn(ChatCompletionRequest request, LoadedModel engine)
    {
        var conversation = request.ConversationText();
        var tools = ChatToolsRequest.Tools(request.Tools);
        var choice = ChatToolsRequest.Choice(request.ToolChoice);
        var format = ChatToolsRequest.Format(request.ResponseFormat);
        try { return ChatTurn.Prepare(engine, conversation, tools, choice, request.ParallelToolCalls ?? true, format); }
        catch (ChatTemplateException e)
        {
            throw ApiException.BadRequest($"The model's chat template refused these messages: {e.Message}", "messages", "invalid_value");
        }
        catch (JsonSchemaException e)
        {
            throw ApiException.BadRequest($"Invalid 'tools': a tool_choice that forces a call needs parameters it can enforce: {e.Message}.", "tools", "invalid_value");
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest($"Invalid 'tool_choice': {e.Message}.", "tool_choice", "invalid_value");
        }
    }

    static ToolCallOutput Output(ChatToolCall call) => new(call.Id, new FunctionCallOutput(call.Name, call.Arguments));

    static ChatDelta CallDelta(ChatToolCallDelta call) =>
        new(ToolCalls: [new ToolCallDelta(call.Index, call.Id, call.Id != null ? "function" : null, new FunctionCallOutput(call.Name, call.Arguments))]);

    static Task StreamAsync(HttpContext http, ChatCompletionRequest request, ChatTurn turn, Tokenizer tokenizer, string model, string id, long created,
        IReadOnlyList<IAsyncEnumerable<GenerationChunk>> choices)
    {
        ChatCompletionChunk Chunk(int index, ChatDelta delta, string? finish = null, TokenLogprob? logprob = null) =>
            new(id, created, model, [new ChatChunkChoice(index, delta, logprob != null ? ChatLogprobs.Of(tokenizer, [logprob]) : null, finish)]);
        var replies = choices.Select(_ => new ToolCallDeltaStream(turn)).ToArray();
        return ChoiceStreams.WriteEventsAsync(http, choices, async (events, index, chunk, first) =>
        {
            if (first) await events.WriteAsync(Chunk(index, new ChatDelta("assistant", "")));
            var (shown, calls) = replies[index].Push(chunk.Text);
            if (chunk.Result is not { } final)
            {
                if (shown.Length > 0 || chunk.Logprob != null) await events.WriteAsync(Chunk(index, new ChatDelta(Content: shown), logprob: chunk.Logprob));
                foreach (var call in calls) await events.WriteAsync(Chunk(index, CallDelta(call)));
                return;
            }
            var (rest, lastCalls, complete) = replies[index].Finish();
            var content = shown + rest;
            if (!replies[index].HasCalls)
            {
                await events.WriteAsync(Chunk(index, new ChatDelta(Content: content.Length > 0 ? content : null), OpenAiNames.FinishReason(final.FinishReason), chunk.Logprob));
                return;
            }
            if (content.Length > 0 || chunk.Logprob != null) await events.WriteAsync(Chunk(index, new ChatDelta(Content: content), logprob: chunk.Logprob));
            foreach (var call in calls.Concat(lastCalls)) await events.WriteAsync(Chunk(index, CallDelta(call)));
            // A reply cut short inside a call ends as OpenAI's does: what was written of the call, and "length".
            await events.WriteAsync(Chunk(index, new ChatDelta(), final.FinishReason == FinishReason.Length && !complete ? OpenAiNames.FinishReason(final.FinishReason) : "tool_calls"));
        }, request.IncludeUsage ? results => new ChatCompletionChunk(id, created, model, [], Usage.Of(results, results.Count)) : null);
    }
}
