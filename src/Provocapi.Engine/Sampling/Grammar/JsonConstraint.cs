namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// Holds one sequence to its <see cref="JsonGrammar"/>: before each sample, every token that cannot continue valid
/// JSON gets −∞; end-of-generation tokens are allowed only once the value is complete. With a token budget, tokens
/// after which the value could no longer be finished in time are refused too, so even a weak model's output closes
/// before max_tokens (when the budget can hold the shortest valid value at all). One per sequence; not thread-safe.
/// </summary>
public sealed class JsonConstraint
{
    readonly JsonGrammar _grammar;
    readonly int[] _endTokens;
    float[] _kept = [];

    internal JsonConstraint(JsonGrammar grammar, IReadOnlySet<int> endTokens)
    {
        _grammar = grammar;
        _endTokens = [.. endTokens];
        State = grammar.Start();
    }

    public JsonMatcher State { get; private set; }

    /// <summary>The output so far is a whole value.</summary>
    public bool IsComplete => State.CanEnd;

    /// <summary>Sets the logits of refused tokens to −∞; <paramref name="tokensLeft"/> counts this one.</summary>
    public void Mask(Span<float> logits, int tokensLeft)
    {
        var mask = _grammar.MaskFor(State);
        if (_kept.Length < logits.Length) _kept = new float[logits.Length];
        var kept = _kept.AsSpan(0, logits.Length);
        kept.Fill(float.NegativeInfinity);
        // After this token, tokensLeft − 1 tokens remain, and each writes at least one byte.
        var budget = mask.CanEnd ? tokensLeft - 1 : Math.Max(tokensLeft - 1, Cheapest(mask));
        for (var i = 0; i < mask.Tokens.Length; i++)
        {
            var token = mask.Tokens[i];
            if (mask.Remaining[i] <= budget && token < logits.Length) kept[token] = logits[token];
        }
        if (mask.CanEnd)
            foreach (var token in _endTokens)
                if (token < logits.Length) kept[token] = logits[token];
        kept.CopyTo(logits);
    }

    /// <summary>When the budget is already too small, the tokens that get closest to the end are still better than none.</summary>
    static int Cheapest(TokenMask mask)
    {
        var best = int.MaxValue;
        foreach (var r in mask.Remaining) best = Math.Min(best, r);
        return best;
    }

    /// <summary>Moves past the sampled token; end-of-generation tokens leave the state as it is.</summary>
    public void Accept(int token)
    {
        if (Array.IndexOf(_endTokens, token) >= 0) return;
        var piece = _grammar.Tokenizer.Piece(token, skipSpecial: true);
        State = State.StepAll(piece) ?? throw new InvalidOperationException($"token {token} does not continue the constrained output");
    }
}
