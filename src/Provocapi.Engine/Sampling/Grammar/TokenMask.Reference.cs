using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Sampling.Grammar;

public sealed partial record TokenMask
{
    /// <summary>The plain version: every token's bytes stepped from <paramref name="state"/>, one token at a time, in id order.</summary>
    public static TokenMask Reference(Tokenizer tokenizer, JsonMatcher state)
    {
        var tokens = new List<int>();
        var remaining = new List<ushort>();
        for (var id = 0; id < tokenizer.VocabSize; id++)
        {
            var piece = tokenizer.Piece(id, skipSpecial: true);
            if (piece.IsEmpty) continue;
            if (state.StepAll(piece) is not { } s) continue;
            tokens.Add(id);
            remaining.Add((ushort)Math.Min(s.MinRemaining, ushort.MaxValue));
        }
        return new TokenMask([.. tokens], [.. remaining], state.CanEnd);
    }
}
