using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Models;

/// <summary>
/// The tokens of one forward step: any mix of sequences, each token at its position in its own sequence
/// (a whole prompt, one decode token per sequence, or chunks of both). Logits are computed only for the
/// tokens listed in <see cref="LogitTokens"/>, in that order.
/// </summary>
public sealed class ForwardBatch
{
    readonly List<int> _tokens = [];
    readonly List<int> _positions = [];
    readonly List<KvPageTable> _sequences = [];
    readonly List<int> _logitTokens = [];

    public int Count => _tokens.Count;
    public IReadOnlyList<int> Tokens => _tokens;
    public IReadOnlyList<int> Positions => _positions;
    public IReadOnlyList<KvPageTable> Sequences => _sequences;
    public IReadOnlyList<int> LogitTokens => _logitTokens;

    public void Add(int token, int position, KvPageTable sequence, bool wantLogits)
    {
        if (wantLogits) _logitTokens.Add(_tokens.Count);
        _tokens.Add(token);
        _positions.Add(position);
        _sequences.Add(sequence);
    }

    /// <summary>Adds consecutive tokens of one sequence starting at <paramref name="startPosition"/>; logits for the last only if asked.</summary>
    public void AddRange(ReadOnlySpan<int> tokens, int startPosition, KvPageTable sequence, bool logitsForLast)
    {
        for (var i = 0; i < tokens.Length; i++)
            Add(tokens[i], startPosition + i, sequence, logitsForLast && i == tokens.Length - 1);
    }

    public void Clear()
    {
        _tokens.Clear();
        _positions.Clear();
        _sequences.Clear();
        _logitTokens.Clear();
    }
}
