namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// Where a JSON value is in being written, byte by byte, against its schema node. Matchers are immutable values
/// (records, compared by content), so a state can be cached, shared between sequences and stepped speculatively
/// while walking the vocabulary.
/// </summary>
public abstract record JsonMatcher
{
    /// <summary>Longest run of whitespace allowed between tokens; a bound keeps a weak model from padding forever.</summary>
    public const int MaxWhitespace = 16;

    /// <summary>The state after <paramref name="b"/>, or null when it cannot come next.</summary>
    public abstract JsonMatcher? Step(byte b);

    /// <summary>The state after all of <paramref name="bytes"/>, or null when one of them cannot come.</summary>
    public JsonMatcher? StepAll(ReadOnlySpan<byte> bytes)
    {
        var state = this;
        foreach (var b in bytes)
            if (state.Step(b) is { } next) state = next;
            else return null;
        return state;
    }

    /// <summary>The value is complete here (a number may still go on).</summary>
    public abstract bool CanEnd { get; }

    /// <summary>Fewest bytes that complete the value from here.</summary>
    public abstract int MinRemaining { get; }

    // Literal matchers compare their bytes by reference, so every state of one literal must share one array.
    static readonly byte[] True = "true"u8.ToArray(), False = "false"u8.ToArray(), Null = "null"u8.ToArray();

    /// <summary>A value of <paramref name="node"/>, before its first byte.</summary>
    public static JsonMatcher Start(JsonSchemaNode node) => node switch
    {
        AnyValueNode => AnyOfMatcher.Of(
        [
            new ObjectMatcher(ObjectNode.AnyProperties), new ArrayMatcher(ArrayNode.AnyItems), StringMatcher.For(StringNode.Instance),
            new NumberMatcher(false), new LiteralMatcher(True), new LiteralMatcher(False), new LiteralMatcher(Null),
        ]),
        StringNode text => StringMatcher.For(text),
        NumberNode number => NumberMatcher.For(number),
        ConstNode constant => new LiteralMatcher(constant.Json),
        AnyOfNode anyOf => AnyOfMatcher.Of(anyOf.Options.Select(Start).ToArray()),
        ArrayNode array => new ArrayMatcher(array),
        ObjectNode obj => new ObjectMatcher(obj),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "unknown schema node"),
    };

    internal static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r';
}
