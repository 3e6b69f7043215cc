namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>The whole output: a little leading whitespace (a SentencePiece word starts with a space), then one value.</summary>
public sealed record RootMatcher(JsonMatcher Value, bool Started = false, int Whitespace = 0) : JsonMatcher
{
    public override JsonMatcher? Step(byte b)
    {
        if (Value.Step(b) is { } value) return new RootMatcher(value, true);
        return !Started && IsWhitespace(b) && Whitespace < MaxWhitespace ? this with { Whitespace = Whitespace + 1 } : null;
    }

    public override bool CanEnd => Value.CanEnd;

    public override int MinRemaining => Value.MinRemaining;
}
