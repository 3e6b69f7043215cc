using System.Text.Json;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// What a gateway reads of a body it forwards untouched: the model to route on, and how many sequences the worker will
/// run for it, so that a request of n choices or of several prompts weighs on routing as it will in the worker's reports.
/// </summary>
public sealed record RoutedRequest(string? Model, JsonElement? N, JsonElement? Prompt)
{
    public static RoutedRequest Read(ReadOnlyMemory<byte> body) => JsonBody.Parse<RoutedRequest>(body);

    /// <summary>n choices of each prompt. Values the worker will refuse count as one: it answers them at once.</summary>
    public int Sequences => Choices * Prompts;

    int Choices => N is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var choices) && choices is >= 1 and <= ChoiceLimits.MaxChoices
        ? choices
        : 1;

    /// <summary>A legacy completion's array of prompts (texts or token arrays; an array of numbers is one prompt).</summary>
    int Prompts => Prompt is { ValueKind: JsonValueKind.Array } prompt && prompt.GetArrayLength() > 0 && prompt[0].ValueKind != JsonValueKind.Number
        ? prompt.GetArrayLength()
        : 1;
}
