using System.Runtime.CompilerServices;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// The vocabulary's token bytes as a trie, so a mask walks each shared prefix once and drops whole subtrees at the
/// first byte the grammar refuses. Special, unknown and unused tokens are left out: constrained output is text.
/// Built once per tokenizer and shared.
/// </summary>
public sealed class TokenTrie
{
    static readonly ConditionalWeakTable<Tokenizer, TokenTrie> Tries = new();

    // Node i's children are ChildLabel/ChildNode[ChildStart[i] .. ChildStart[i + 1]); the tokens that end at it are
    // Tokens[TokenStart[i] .. TokenStart[i + 1]).
    internal readonly int[] ChildStart, ChildNode, TokenStart, Tokens;
    internal readonly byte[] ChildLabel;

    public int VocabSize { get; }
    public int NodeCount => ChildStart.Length - 1;

    TokenTrie(Tokenizer tokenizer)
    {
        VocabSize = tokenizer.VocabSize;
        var children = new List<Dictionary<byte, int>?> { null };
        var ending = new List<List<int>?> { null };
        for (var id = 0; id < tokenizer.VocabSize; id++)
        {
            var piece = tokenizer.Piece(id, skipSpecial: true);
            if (piece.IsEmpty) continue;
            var node = 0;
            foreach (var b in piece)
            {
                var map = children[node] ??= [];
                if (!map.TryGetValue(b, out var next))
                {
                    next = children.Count;
                    map[b] = next;
                    children.Add(null);
                    ending.Add(null);
                }
                node = next;
            }
            (ending[node] ??= []).Add(id);
        }

        var count = children.Count;
        ChildStart = new int[count + 1];
        TokenStart = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            ChildStart[i + 1] = ChildStart[i] + (children[i]?.Count ?? 0);
            TokenStart[i + 1] = TokenStart[i] + (ending[i]?.Count ?? 0);
        }
        ChildNode = new int[ChildStart[count]];
        ChildLabel = new byte[ChildStart[count]];
        Tokens = new int[TokenStart[count]];
        for (var i = 0; i < count; i++)
        {
            if (children[i] is { } map)
            {
                var at = ChildStart[i];
                foreach (var (label, child) in map.OrderBy(e => e.Key))
                {
                    ChildLabel[at] = label;
                    ChildNode[at++] = child;
                }
            }
            ending[i]?.CopyTo(Tokens, TokenStart[i]);
        }
    }

    public static TokenTrie For(Tokenizer tokenizer) => Tries.GetValue(tokenizer, t => new TokenTrie(t));
}
