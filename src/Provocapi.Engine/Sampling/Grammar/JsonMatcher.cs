namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// Where a JSON value is in being written, byte by byte, against its schema node. Matchers are immutable values
/// (records, compared by content), so a state can be cached, shared between sequences and stepped speculatively
/// while walking the vocabulary.
/// </summary>
public abstract record JsonMatcher
{
    /// <summary>
    /// Whitespace between tokens is what a compact or a pretty-printing writer puts there: nothing, one space, or a
    /// newline and up to this many spaces or tabs of indentation (llama.cpp's JSON grammars allow the same). Any run of
    /// whitespace, even a bounded one, lets a weak model spend its tokens on padding.
    /// </summary>
    public const int MaxIndent = 20;

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

    /// <summary>A gap's state after <paramref name="b"/>, or null when b cannot come there. States: 0 before any
    /// whitespace, −1 after the one space, 1 + n after a newline and n bytes of indentation.</summary>
    internal static int? NextGap(int gap, byte b) => (gap, b) switch
    {
        (0, (byte)' ') => -1,
        (0, (byte)'\n') => 1,
        ( > 0 and <= MaxIndent, (byte)' ' or (byte)'\t') => gap + 1,
        _ => null,
    };
}
