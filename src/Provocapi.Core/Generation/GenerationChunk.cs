using Provocapi.Engine.Sampling;

namespace Provocapi.Core.Generation;

/// <summary>
/// One element of a generation stream: a piece of text (possibly empty while a partial character or a possible
/// stop string is held back) with the token that produced it; the last element carries <see cref="Result"/>.
/// </summary>
public sealed record GenerationChunk(string Text, int? TokenId, GenerationResult? Result = null)
{
    /// <summary>How long the generation waited for the engine before it started (the same on every chunk).</summary>
    public TimeSpan QueueTime { get; init; }
    /// <summary>The token's log-probability, when the request asked for them.</summary>
    public TokenLogprob? Logprob { get; init; }

    public bool IsFinal => Result != null;
}
