using System.Text.Json.Serialization;
using Provocapi.Host.Modules.Inference.Serving;

namespace Provocapi.Host.Modules.Inference.ChatCompletions;

/// <summary>A whole chat completion (non-streaming).</summary>
public sealed record ChatCompletionResponse(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "chat.completion";
}

public sealed record ChatChoice(
    int Index,
    AssistantMessage Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs,
    string FinishReason);

public sealed record AssistantMessage(string Content)
{
    public string Role => "assistant";
}

/// <summary>One event of a streamed chat completion.</summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices, Usage? Usage = null)
{
    [JsonPropertyOrder(-1)]
    public string Object => "chat.completion.chunk";
}

public sealed record ChatChunkChoice(
    int Index,
    ChatDelta Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason = null);

/// <summary>What a chunk adds: the role (first chunk), then content.</summary>
public sealed record ChatDelta(string? Role = null, string? Content = null);
