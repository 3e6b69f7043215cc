using Provocapi.Engine.Sampling;

namespace Provocapi.Core.Generation;

/// <summary>The outcome of a generation: its text, ids, token counts and why it ended.</summary>
public sealed record GenerationResult(string Text, IReadOnlyList<int> TokenIds, int PromptTokens, int CompletionTokens, FinishReason FinishReason)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
    /// <summary>Each generated token's log-probability, when the request asked for them.</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }
}
