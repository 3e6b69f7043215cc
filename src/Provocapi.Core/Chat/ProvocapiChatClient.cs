using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Provocapi.Core.Chat.Tools;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using ProvocapiFormat = Provocapi.Core.Chat.ChatResponseFormat;

namespace Provocapi.Core.Chat;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over a <see cref="LoadedModel"/>, so any .NET app can chat with
/// the engine through the standard abstraction. It prepares turns exactly as the HTTP API does (<see cref="ChatTurn"/>):
/// the same templates, tools (<see cref="ChatOptions.Tools"/>, <see cref="ChatOptions.ToolMode"/>) and JSON mode
/// (<see cref="ChatOptions.ResponseFormat"/>). It reports calls as <see cref="FunctionCallContent"/>; invoking them is the
/// caller's (or a FunctionInvokingChatClient's) business.
/// </summary>
public sealed class ProvocapiChatClient(LoadedModel model) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (turn, request) = Prepare(messages, options);
        var result = await model.GenerateTextAsync(request, cancellationToken);
        var reply = turn.Reply(result.Text);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, Contents(reply)))
        {
            ModelId = model.Name,
            FinishReason = reply.Calls.Count > 0 ? ChatFinishReason.ToolCalls : FinishReasonOf(result.FinishReason),
            Usage = Usage(result),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var (turn, request) = Prepare(messages, options);
        var stream = turn.Stream();
        await foreach (var chunk in model.GenerateAsync(request, cancellationToken))
        {
            var shown = stream.Push(chunk.Text);
            if (shown.Length > 0)
                yield return new ChatResponseUpdate(ChatRole.Assistant, shown) { ResponseId = id, ModelId = model.Name };
            if (chunk.Result is not { } result) continue;
            var rest = stream.Finish();
            yield return new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ResponseId = id,
                ModelId = model.Name,
                FinishReason = rest.Calls.Count > 0 ? ChatFinishReason.ToolCalls : FinishReasonOf(result.FinishReason),
                Contents = [.. Contents(rest), new UsageContent(Usage(result))],
            };
        }
    }

    (ChatTurn Turn, GenerationRequest Request) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var tools = options?.Tools?.OfType<AIFunctionDeclaration>().Select(f => new ChatTool(f.Name, f.Description, f.JsonSchema)).ToList();
        var choice = options?.ToolMode switch
        {
            NoneChatToolMode => ToolChoice.None,
            RequiredChatToolMode { RequiredFunctionName: { } name } => ToolChoice.Function(name),
            RequiredChatToolMode => ToolChoice.Required,
            _ => ToolChoice.Auto,
        };
        var format = options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } => ProvocapiFormat.JsonSchema(schema),
            ChatResponseFormatJson => ProvocapiFormat.JsonObject,
            _ => ProvocapiFormat.Text,
        };
        var turn = ChatTurn.Prepare(model, messages.Select(Text).ToList(), tools, choice, options?.AllowMultipleToolCalls ?? true, format);
        var sampling = new SamplingOptions
        {
            Temperature = options?.Temperature ?? 1f,
            TopP = options?.TopP ?? 1f,
            TopK = options?.TopK ?? 0,
            Seed = options?.Seed,
            PresencePenalty = options?.PresencePenalty ?? 0,
            FrequencyPenalty = options?.FrequencyPenalty ?? 0,
        };
        if (sampling.Validate() is { } error) throw new ArgumentException(error.Message, error.Param);
        var request = turn.Apply(new GenerationRequest
        {
            PromptTokens = turn.Prompt.Tokenize(model.Model.Tokenizer),
            Sampling = sampling,
            MaxTokens = options?.MaxOutputTokens ?? 256,
            StopStrings = options?.StopSequences?.ToList() ?? [],
        });
        return (turn, request);
    }

    /// <summary>A message as role, text and tool calls; a function result becomes a <c>tool</c> turn.</summary>
    static ChatMessageText Text(ChatMessage message)
    {
        if (message.Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result)
            return new ChatMessageText("tool", result.Result is string s ? s : JsonSerializer.Serialize(result.Result)) { ToolCallId = result.CallId };
        return new ChatMessageText(message.Role.Value, message.Text)
        {
            ToolCalls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => new ChatToolCall(c.CallId, c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()))).ToList(),
        };
    }

    static List<AIContent> Contents(ParsedReply reply)
    {
        var contents = new List<AIContent>();
        if (reply.Content.Length > 0) contents.Add(new TextContent(reply.Content));
        foreach (var call in reply.Calls)
            contents.Add(new FunctionCallContent(call.Id, call.Name, JsonSerializer.Deserialize<Dictionary<string, object?>>(call.Arguments)));
        return contents;
    }

    static UsageDetails Usage(GenerationResult result) =>
        new() { InputTokenCount = result.PromptTokens, OutputTokenCount = result.CompletionTokens, TotalTokenCount = result.TotalTokens };

    static ChatFinishReason? FinishReasonOf(FinishReason reason) => reason switch
    {
        FinishReason.Stop => ChatFinishReason.Stop,
        FinishReason.Length => ChatFinishReason.Length,
        _ => null,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey == null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey == null && serviceType == typeof(LoadedModel) ? model
        : null;

    public void Dispose() { }
}
