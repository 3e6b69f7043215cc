using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models.Adapters;

namespace Provocapi.Engine.Models;

/// <summary>
/// The tokens of one forward step: any mix of sequences, each token at its position in its own sequence
/// (a whole prompt, one decode token per sequence, or chunks of both). Logits are computed only for the
/// tokens listed in <see cref="LogitTokens"/>, in that order. Each token runs with its sequence's LoRA adapter, or none.
/// </summary>
public sealed class ForwardBatch
{
    readonly List<int> _tokens = [];
    readonly List<int> _positions = [];
    readonly List<KvPageTable> _sequences = [];
    readonly List<int> _logitTokens = [];
    readonly List<LoraAdapter?> _adapters = [];
    int _adapterTokens;

    public int Count => _tokens.Count;
    public IReadOnlyList<int> Tokens => _tokens;
    public IReadOnlyList<int> Positions => _positions;
    public IReadOnlyList<KvPageTable> Sequences => _sequences;
    public IReadOnlyList<int> LogitTokens => _logitTokens;
    public IReadOnlyList<LoraAdapter?> Adapters => _adapters;
    /// <summary>Whether any token uses an adapter; when none does, the forward pass adds no LoRA work at all.</summary>
    public bool HasAdapters => _adapterTokens > 0;

    public void Add(int token, int position, KvPageTable sequence, bool wantLogits, LoraAdapter? adapter = null)
    {
        if (adapter != null) _adapterTokens++;
        _adapters.Add(adapter);
        if (wantLogits) _logitTokens.Add(_tokens.Count);
        _tokens.Add(token);
        _positions.Add(position);
        _sequences.Add(sequence);
    }

    /// <summary>Adds consecutive tokens of one sequence starting at <paramref name="startPosition"/>; logits for the last only if asked.</summary>
    public void AddRange(ReadOnlySpan<int> tokens, int startPosition, KvPageTable sequence, bool logitsForLast, LoraAdapter? adapter = null)
    {
        for (var i = 0; i < tokens.Length; i++)
            Add(tokens[i], startPosition + i, sequence, logitsForLast && i == tokens.Length - 1, adapter);
    }

    public void Clear()
    {
        _tokens.Clear();
        _positions.Clear();
        _sequences.Clear();
        _logitTokens.Clear();
        _adapters.Clear();
        _adapterTokens = 0;
    }
}
