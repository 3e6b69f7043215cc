namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>Several alternatives still possible (anyOf, enum, or any value before its first byte); each byte keeps those that accept it.</summary>
public sealed record AnyOfMatcher : JsonMatcher
{
    readonly JsonMatcher[] _alternatives;
    readonly int _hash;

    AnyOfMatcher(JsonMatcher[] alternatives)
    {
        _alternatives = alternatives;
        var hash = new HashCode();
        foreach (var a in alternatives) hash.Add(a);
        _hash = hash.ToHashCode();
    }

    /// <summary>The alternatives as one matcher (the alternative itself when only one is left).</summary>
    public static JsonMatcher Of(JsonMatcher[] alternatives) => alternatives.Length == 1 ? alternatives[0] : new AnyOfMatcher(alternatives);

    public override JsonMatcher? Step(byte b)
    {
        List<JsonMatcher>? survivors = null;
        foreach (var a in _alternatives)
            if (a.Step(b) is { } next) (survivors ??= []).Add(next);
        return survivors == null ? null : Of([.. survivors]);
    }

    public override bool CanEnd => _alternatives.Any(a => a.CanEnd);

    public override int MinRemaining => _alternatives.Min(a => a.MinRemaining);

    public bool Equals(AnyOfMatcher? other) => other is not null && _hash == other._hash && _alternatives.AsSpan().SequenceEqual(other._alternatives);

    public override int GetHashCode() => _hash;
}
