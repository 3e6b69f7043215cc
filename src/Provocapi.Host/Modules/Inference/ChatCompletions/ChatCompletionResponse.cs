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

public sealed record AssistantMessage(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Content,
    IReadOnlyList<ToolCallOutput>? ToolCalls = null)
{
    [JsonPropertyOrder(-1)]
    public string Role => "assistant";
}

/// <summary>A call the model made, as OpenAI writes it: arguments are a string holding JSON.</summary>
public sealed record ToolCallOutput(string Id, FunctionCallOutput Function)
{
    [JsonPropertyOrder(-1)]
    public string Type => "function";
}

public sealed record FunctionCallOutput(string? Name, string Arguments);

/// <summary>A streamed piece of a call: the first names it (id, type, name, empty arguments), the next carries its arguments.</summary>
public sealed record ToolCallDelta(int Index, string? Id = null, string? Type = null, FunctionCallOutput? Function = null);

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

/// <summary>What a chunk adds: the role (first chunk), then content or tool calls.</summary>
public sealed record ChatDelta(string? Role = null, string? Content = null, IReadOnlyList<ToolCallDelta>? ToolCalls = null);
