namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON Schema compiled to what constrained decoding enforces. Nodes are immutable and compared by reference, so a
/// matcher's state can hold them cheaply. <see cref="MinLength"/> is the length in bytes of the value's shortest
/// serialization, used to finish within a token budget.
/// </summary>
public abstract class JsonSchemaNode
{
    /// <summary>Lengths are capped far below int's range, so sums of them cannot overflow.</summary>
    public const int MaxLength = 1 << 24;

    public abstract int MinLength { get; }

    public static int Saturate(long length) => (int)Math.Min(length, MaxLength);
}

/// <summary>Any JSON value (<c>{}</c> or <c>true</c> as a schema, and <c>json_object</c>'s contents).</summary>
public sealed class AnyValueNode : JsonSchemaNode
{
    public static AnyValueNode Instance { get; } = new();
    public override int MinLength => 1;
}

/// <summary>A string, with at least <see cref="MinChars"/> and at most <see cref="MaxChars"/> characters (code points).</summary>
public sealed class StringNode(int minChars = 0, int maxChars = int.MaxValue) : JsonSchemaNode
{
    public static StringNode Instance { get; } = new();
    public int MinChars { get; } = minChars;
    public int MaxChars { get; } = maxChars;
    public bool IsBounded => MinChars > 0 || MaxChars != int.MaxValue;
    public override int MinLength => Saturate(2L + MinChars);
}

public sealed class NumberNode(bool integer, NumberRange? range = null) : JsonSchemaNode
{
    public static NumberNode Number { get; } = new(false);
    public static NumberNode Integer { get; } = new(true);
    public bool IsInteger { get; } = integer;
    /// <summary>The bounds and step (minimum, maximum, their exclusive forms, multipleOf), or null.</summary>
    public NumberRange? Range { get; } = range;
    public override int MinLength { get; } = range == null ? 1 : new NumberMatcher(integer, Range: range).MinRemaining;
}

/// <summary>One fixed value (<c>const</c>, an <c>enum</c> member, <c>true</c>, <c>false</c>, <c>null</c>), as the UTF-8 bytes of its compact JSON.</summary>
public sealed class ConstNode(byte[] json) : JsonSchemaNode
{
    public byte[] Json { get; } = json;
    public override int MinLength => Json.Length;
}

public sealed class AnyOfNode(IReadOnlyList<JsonSchemaNode> options) : JsonSchemaNode
{
    public IReadOnlyList<JsonSchemaNode> Options { get; } = options;
    public override int MinLength { get; } = options.Min(o => o.MinLength);
}

public sealed class ArrayNode(JsonSchemaNode items, int minItems, int maxItems) : JsonSchemaNode
{
    public static ArrayNode AnyItems { get; } = new(AnyValueNode.Instance, 0, int.MaxValue);
    public JsonSchemaNode Items { get; } = items;
    public int MinItems { get; } = minItems;
    public int MaxItems { get; } = maxItems;
    public override int MinLength { get; } = Saturate(2 + (long)minItems * items.MinLength + Math.Max(0, minItems - 1));
}

/// <summary>
/// An object. With <see cref="Properties"/> it is closed: only those keys, each at most once, the required ones
/// before it may close (what OpenAI's strict mode asks of a schema). Without, any keys with any values.
/// </summary>
public sealed class ObjectNode : JsonSchemaNode
{
    public const int MaxProperties = 64;
    public static ObjectNode AnyProperties { get; } = new([], 0);

    /// <param name="ordered">The properties come in the order declared (a tool call's name before its arguments, so
    /// that the call can be streamed as it is written); otherwise in any order.</param>
    public ObjectNode(IReadOnlyList<(string Name, JsonSchemaNode Value)> properties, ulong required, bool ordered = false)
    {
        if (properties.Count > MaxProperties) throw new JsonSchemaException($"an object may declare at most {MaxProperties} properties");
        Properties = properties;
        Required = required;
        Ordered = ordered;
        // Escaped as little as JSON requires (quotes, backslashes, controls), so a model writes names in plain UTF-8.
        Keys = properties.Select(p => System.Text.Encoding.UTF8.GetBytes(
            System.Text.Json.JsonEncodedText.Encode(p.Name, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString())).ToArray();
        long length = 2;
        var count = 0;
        for (var i = 0; i < properties.Count; i++)
        {
            if ((required & (1UL << i)) == 0) continue;
            length += Keys[i].Length + 3 + properties[i].Value.MinLength;
            count++;
        }
        MinLength = Saturate(length + Math.Max(0, count - 1));
    }

    public IReadOnlyList<(string Name, JsonSchemaNode Value)> Properties { get; }
    /// <summary>The escaped UTF-8 bytes of each property name, as written between the quotes.</summary>
    public IReadOnlyList<byte[]> Keys { get; }
    /// <summary>Bit i set: property i is required.</summary>
    public ulong Required { get; }
    public bool Ordered { get; }
    public bool IsOpen => Properties.Count == 0;
    public override int MinLength { get; }

    /// <summary>Bytes the object still needs once the properties in <paramref name="seen"/> are written: the missing required ones and the closing brace.</summary>
    public int MissingLength(ulong seen)
    {
        long length = 1;
        var missing = Required & ~seen;
        for (var i = 0; missing != 0; i++, missing >>= 1)
            if ((missing & 1) != 0) length += 1 + Keys[i].Length + 3 + Properties[i].Value.MinLength;
        return Saturate(length);
    }
}

/// <summary>A schema this engine cannot enforce, or that is not a valid schema.</summary>
public sealed class JsonSchemaException(string message) : Exception(message);
