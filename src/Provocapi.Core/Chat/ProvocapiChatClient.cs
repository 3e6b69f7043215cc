using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;

namespace Provocapi.Core.Chat;

/// <summary>Microsoft.Extensions.AI's <see cref="IChatClient"/> over a <see cref="LoadedModel"/>, so any .NET app can chat with the engine through the standard abstraction.</summary>
public sealed class ProvocapiChatClient(LoadedModel model) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await model.GenerateTextAsync(Request(messages, options), cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ModelId = model.Name,
            FinishReason = FinishReasonOf(result.FinishReason),
            Usage = new UsageDetails { InputTokenCount = result.PromptTokens, OutputTokenCount = result.CompletionTokens, TotalTokenCount = result.TotalTokens },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        await foreach (var chunk in model.GenerateAsync(Request(messages, options), cancellationToken))
        {
            if (chunk.Text.Length > 0)
                yield return new ChatResponseUpdate(ChatRole.Assistant, chunk.Text) { ResponseId = id, ModelId = model.Name };
            if (chunk.Result is { } result)
                yield return new ChatResponseUpdate
                {
                    Role = ChatRole.Assistant,
                    ResponseId = id,
                    ModelId = model.Name,
                    FinishReason = FinishReasonOf(result.FinishReason),
                    Contents = [new UsageContent(new UsageDetails { InputTokenCount = result.PromptTokens, OutputTokenCount = result.CompletionTokens, TotalTokenCount = result.TotalTokens })],
                };
        }
    }

    GenerationRequest Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var prompt = ChatPrompt.For(model, messages.Select(m => new ChatMessageText(m.Role.Value, m.Text)));
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
        return new GenerationRequest
        {
            Prompt = prompt.Text,
            AddSpecialTokens = prompt.AddSpecialTokens,
            Sampling = sampling,
            MaxTokens = options?.MaxOutputTokens ?? 256,
            StopStrings = [.. prompt.StopStrings, .. options?.StopSequences ?? []],
        };
    }

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
