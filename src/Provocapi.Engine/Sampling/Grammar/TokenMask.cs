namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// The tokens a grammar state allows next, each with the fewest bytes that would still be needed to finish after it
/// (so a token budget can be kept), and whether the output may end here.
/// </summary>
public sealed partial record TokenMask(int[] Tokens, ushort[] Remaining, bool CanEnd)
{
    /// <summary>Walks the vocabulary trie from <paramref name="state"/>, stepping each byte once per shared prefix.</summary>
    public static TokenMask Of(TokenTrie trie, JsonMatcher state)
    {
        var tokens = new List<int>();
        var remaining = new List<ushort>();
        var stack = new Stack<(int Node, JsonMatcher State)>();
        stack.Push((0, state));
        while (stack.TryPop(out var top))
        {
            for (var c = trie.ChildStart[top.Node]; c < trie.ChildStart[top.Node + 1]; c++)
            {
                if (top.State.Step(trie.ChildLabel[c]) is not { } next) continue;
                var child = trie.ChildNode[c];
                var ends = trie.TokenStart[child + 1] - trie.TokenStart[child];
                if (ends > 0)
                {
                    var cost = (ushort)Math.Min(next.MinRemaining, ushort.MaxValue);
                    for (var t = trie.TokenStart[child]; t < trie.TokenStart[child + 1]; t++)
                    {
                        tokens.Add(trie.Tokens[t]);
                        remaining.Add(cost);
                    }
                }
                if (trie.ChildStart[child + 1] > trie.ChildStart[child]) stack.Push((child, next));
            }
        }
        return new TokenMask([.. tokens], [.. remaining], state.CanEnd);
    }
}
