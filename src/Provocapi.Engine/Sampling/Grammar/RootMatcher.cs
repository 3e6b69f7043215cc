namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>The whole output: a gap of whitespace (a SentencePiece word starts with a space), then one value.</summary>
public sealed record RootMatcher(JsonMatcher Value, bool Started = false, int Gap = 0) : JsonMatcher
{
    public override JsonMatcher? Step(byte b)
    {
        if (Value.Step(b) is { } value) return new RootMatcher(value, true);
        return !Started && NextGap(Gap, b) is { } gap ? this with { Gap = gap } : null;
    }

    public override bool CanEnd => Value.CanEnd;

    public override int MinRemaining => Value.MinRemaining;
}
