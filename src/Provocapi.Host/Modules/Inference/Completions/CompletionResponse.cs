using System.Text.Json.Serialization;
using Provocapi.Host.Modules.Inference.Serving;

namespace Provocapi.Host.Modules.Inference.Completions;

/// <summary>A legacy text completion, whole or (with <see cref="Usage"/> null until the last event) one streamed event.</summary>
public sealed record CompletionResponse(string Id, long Created, string Model, IReadOnlyList<CompletionChoice> Choices, Usage? Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "text_completion";
}

public sealed record CompletionChoice(
    string Text,
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);
