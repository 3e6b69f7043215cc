using System.Text;
using System.Text.Json;

namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// Compiles a JSON Schema to <see cref="JsonSchemaNode"/>s: type (one or a list), properties, required, enum, const,
/// items, minItems, maxItems, minLength and maxLength, a number's minimum, maximum (and their exclusive forms) and multipleOf,
/// anyOf and oneOf (both as anyOf), a one-member allOf, and local <c>$ref</c>s into <c>$defs</c> or <c>definitions</c>.
/// Annotations (title, description, format, ...) are ignored; validation keywords it could not enforce are refused
/// rather than silently dropped, so a constrained reply always validates.
/// </summary>
public static class JsonSchemaCompiler
{
    const int MaxDepth = 32;

    static readonly HashSet<string> Refused =
    [
        "pattern", "not",
        "if", "then", "else", "patternProperties", "uniqueItems", "contains", "minContains", "maxContains", "propertyNames",
        "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "prefixItems", "unevaluatedProperties", "unevaluatedItems",
    ];

    /// <summary>Keywords that say nothing about validity, allowed beside any other.</summary>
    static readonly HashSet<string> Annotations =
        ["title", "description", "default", "examples", "$schema", "$id", "$comment", "format", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "strict", "additionalProperties"];

    /// <summary>Keywords that bound a number's value (or its step), and with them those of a string's length: enforced on those
    /// types, and ignored on others as JSON Schema says.</summary>
    static readonly string[] Bounds = ["minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];

    /// <summary>Keywords that each decide the whole node here, so any validation keyword beside them would be dropped.</summary>
    static readonly string[] Whole = ["$ref", "const", "enum", "anyOf", "oneOf", "allOf"];

    public static JsonSchemaNode Compile(JsonElement schema)
    {
        try { return new Compilation(schema).Compile(schema, 0); }
        catch (InvalidOperationException e)
        {
            // A string holding a lone surrogate escape (\ud800) cannot be read.
            throw new JsonSchemaException($"the schema holds text that is not valid Unicode ({e.Message})");
        }
    }

    /// <summary>One schema's compilation: its definitions compiled once each, and a bound on the nodes it may make.</summary>
    sealed class Compilation(JsonElement root)
    {
        const int MaxNodes = 10_000;
        readonly Dictionary<string, JsonSchemaNode> _definitions = [];
        readonly HashSet<string> _expanding = [];
        int _nodes;

        public JsonSchemaNode Compile(JsonElement schema, int depth)
        {
            if (++_nodes > MaxNodes) throw new JsonSchemaException($"the schema has more than {MaxNodes} nodes");
            return JsonSchemaCompiler.Compile(schema, depth, this);
        }

        public JsonSchemaNode Reference(JsonElement reference, int depth)
        {
            var path = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
            if (_definitions.TryGetValue(path, out var compiled)) return compiled;
            var parts = path.Split('/');
            if (parts.Length != 3 || parts[0] != "#" || parts[1] is not ("$defs" or "definitions"))
                throw new JsonSchemaException($"'$ref' must point into this schema's $defs or definitions (got '{path}')");
            if (!root.TryGetProperty(parts[1], out var definitions) || definitions.ValueKind != JsonValueKind.Object || !definitions.TryGetProperty(parts[2], out var target))
                throw new JsonSchemaException($"'$ref' points to '{path}', which the schema does not define");
            if (!_expanding.Add(path)) throw new JsonSchemaException($"recursive '$ref' ('{path}') is not supported");
            try { return _definitions[path] = Compile(target, depth + 1); }
            finally { _expanding.Remove(path); }
        }
    }

    static JsonSchemaNode Compile(JsonElement schema, int depth, Compilation compilation)
    {
        if (depth > MaxDepth) throw new JsonSchemaException($"the schema nests deeper than {MaxDepth} levels");
        if (schema.ValueKind == JsonValueKind.True) return AnyValueNode.Instance;
        if (schema.ValueKind != JsonValueKind.Object) throw new JsonSchemaException("a schema must be an object (or true)");
        foreach (var keyword in schema.EnumerateObject())
            if (Refused.Contains(keyword.Name)) throw new JsonSchemaException($"the keyword '{keyword.Name}' is not supported");
        if (Whole.FirstOrDefault(k => schema.TryGetProperty(k, out _)) is { } whole)
            foreach (var keyword in schema.EnumerateObject())
                if (keyword.Name != whole && !Annotations.Contains(keyword.Name) && !(keyword.Name == "type" && whole is "const" or "enum"))
                    throw new JsonSchemaException($"'{whole}' beside '{keyword.Name}' is not supported (put the constraint inside each branch)");

        if (schema.TryGetProperty("$ref", out var reference)) return compilation.Reference(reference, depth);
        if (schema.TryGetProperty("const", out var constant)) return Const(constant);
        if (schema.TryGetProperty("enum", out var members))
        {
            if (members.ValueKind != JsonValueKind.Array || members.GetArrayLength() == 0) throw new JsonSchemaException("'enum' must be a non-empty array");
            return Either(members.EnumerateArray().Select(Const).ToList());
        }
        foreach (var combinator in (string[])["anyOf", "oneOf"])
            if (schema.TryGetProperty(combinator, out var options))
            {
                if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0) throw new JsonSchemaException($"'{combinator}' must be a non-empty array");
                return Either(options.EnumerateArray().Select(o => compilation.Compile(o, depth + 1)).ToList());
            }
        if (schema.TryGetProperty("allOf", out var all))
        {
            if (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() != 1) throw new JsonSchemaException("'allOf' is supported with exactly one member");
            return compilation.Compile(all[0], depth + 1);
        }
        if (!schema.TryGetProperty("type", out var type))
        {
            if (schema.TryGetProperty("properties", out _)) return Typed("object", schema, depth, compilation);
            // Any value would let through the strings or integers the bound is about.
            if (Bounds.FirstOrDefault(k => schema.TryGetProperty(k, out _)) is { } bound)
                throw new JsonSchemaException($"'{bound}' needs a 'type' ('string', 'number' or 'integer') beside it");
            return AnyValueNode.Instance;
        }
        if (type.ValueKind == JsonValueKind.String) return Typed(type.GetString()!, schema, depth, compilation);
        if (type.ValueKind != JsonValueKind.Array || type.GetArrayLength() == 0) throw new JsonSchemaException("'type' must be a string or a non-empty array of strings");
        return Either(type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String
            ? Typed(t.GetString()!, schema, depth, compilation)
            : throw new JsonSchemaException("'type' must be a string or a non-empty array of strings")).ToList());
    }

    static JsonSchemaNode Typed(string type, JsonElement schema, int depth, Compilation compilation) => type switch
    {
        "string" => Text(schema),
        "number" => Numeric(schema, integer: false),
        "integer" => Numeric(schema, integer: true),
        "boolean" => Either([Literal("true"), Literal("false")]),
        "null" => Literal("null"),
        "array" => Array(schema, depth, compilation),
        "object" => Object(schema, depth, compilation),
        _ => throw new JsonSchemaException($"unknown type '{type}'"),
    };

    static JsonSchemaNode Array(JsonElement schema, int depth, Compilation compilation)
    {
        var items = schema.TryGetProperty("items", out var i) ? compilation.Compile(i, depth + 1) : AnyValueNode.Instance;
        var min = Count(schema, "minItems") ?? 0;
        var max = Count(schema, "maxItems") ?? int.MaxValue;
        if (max < min) throw new JsonSchemaException("'maxItems' is below 'minItems'");
        return new ArrayNode(items, min, max);
    }

    static StringNode Text(JsonElement schema)
    {
        var min = Count(schema, "minLength") ?? 0;
        var max = Count(schema, "maxLength") ?? int.MaxValue;
        if (max < min) throw new JsonSchemaException("'maxLength' is below 'minLength'");
        return min == 0 && max == int.MaxValue ? StringNode.Instance : new StringNode(min, max);
    }

    /// <summary>
    /// A number or an integer, its bounds read exactly from their JSON text in units of 10^-15 (0.1 is 0.1, not the
    /// nearest double) and made inclusive (exclusiveMinimum 0.5 is 0.500000000000001), held just past the 15 integer
    /// digits a matcher writes. The step is multipleOf, and for an integer a multiple of one as well.
    /// </summary>
    static NumberNode Numeric(JsonElement schema, bool integer)
    {
        Int128 min = -NumberRange.Limit, max = NumberRange.Limit, step = integer ? NumberRange.One : 1;
        var bounded = false;
        if (Units(schema, "minimum", up: true) is { } minimum) (min, bounded) = (Int128.Max(min, minimum.Value), true);
        if (Units(schema, "exclusiveMinimum", up: true) is { } above) (min, bounded) = (Int128.Max(min, above.Exact ? above.Value + 1 : above.Value), true);
        if (Units(schema, "maximum", up: false) is { } maximum) (max, bounded) = (Int128.Min(max, maximum.Value), true);
        if (Units(schema, "exclusiveMaximum", up: false) is { } below) (max, bounded) = (Int128.Min(max, below.Exact ? below.Value - 1 : below.Value), true);
        if (Units(schema, "multipleOf", up: false) is { } multiple)
        {
            if (multiple.Value <= 0 || !multiple.Exact)
                throw new JsonSchemaException($"'multipleOf' must be above 0 and a multiple of 1e-{NumberMatcher.MaxFractionDigits}, the finest fraction written");
            (step, bounded) = (NumberRange.CommonStep(step, Int128.Min(multiple.Value, NumberRange.Limit)), true);
        }
        if (!bounded) return integer ? NumberNode.Integer : NumberNode.Number;
        // Only what a matcher writes counts: a range whose values all lie past 15 integer digits is empty.
        var node = new NumberNode(integer, new NumberRange(Int128.Max(min, 1 - NumberRange.Limit), Int128.Min(max, NumberRange.Limit - 1), step));
        if (node.MinLength < 0)
            throw new JsonSchemaException(integer
                ? $"no integer of at most {NumberMatcher.MaxIntegerDigits} digits lies within the schema's minimum, maximum and multipleOf"
                : $"no number of at most {NumberMatcher.MaxIntegerDigits} integer and {NumberMatcher.MaxFractionDigits} fraction digits lies within the schema's minimum, maximum and multipleOf");
        return node;
    }

    /// <summary>A number keyword in units of 10^-15, read exactly from its JSON text (<see cref="NumberRange.Units"/>).</summary>
    static (Int128 Value, bool Exact)? Units(JsonElement schema, string keyword, bool up)
    {
        if (!schema.TryGetProperty(keyword, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number) throw new JsonSchemaException($"'{keyword}' must be a number");
        return NumberRange.Units(value.GetRawText(), up);
    }

    static JsonSchemaNode Object(JsonElement schema, int depth, Compilation compilation)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (hasProperties && properties.ValueKind != JsonValueKind.Object) throw new JsonSchemaException("'properties' must be an object");
        if (!hasProperties || !properties.EnumerateObject().Any())
        {
            // An object with no declared properties is open: only any keys, with any values, can be promised.
            if (schema.TryGetProperty("required", out var named) && named.ValueKind == JsonValueKind.Array && named.GetArrayLength() > 0)
                throw new JsonSchemaException("'required' names properties that 'properties' does not declare");
            if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind != JsonValueKind.True)
                throw new JsonSchemaException("an object without 'properties' must allow any properties ('additionalProperties' other than true is not supported there)");
            return ObjectNode.AnyProperties;
        }
        var list = properties.EnumerateObject().Select(p => (p.Name, compilation.Compile(p.Value, depth + 1))).ToList();
        ulong required = 0;
        if (schema.TryGetProperty("required", out var names))
        {
            if (names.ValueKind != JsonValueKind.Array) throw new JsonSchemaException("'required' must be an array of property names");
            foreach (var name in names.EnumerateArray())
            {
                var index = name.ValueKind == JsonValueKind.String ? list.FindIndex(p => p.Name == name.GetString()) : -1;
                if (index < 0) throw new JsonSchemaException($"'required' names '{(name.ValueKind == JsonValueKind.String ? name.GetString() : name.GetRawText())}', which is not among the properties");
                required |= 1UL << index;
            }
        }
        return new ObjectNode(list, required);
    }

    static int? Count(JsonElement schema, string keyword)
    {
        if (!schema.TryGetProperty(keyword, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var count) || count < 0) throw new JsonSchemaException($"'{keyword}' must be a non-negative integer");
        return count;
    }

    static JsonSchemaNode Either(IReadOnlyList<JsonSchemaNode> options) => options.Count == 1 ? options[0] : new AnyOfNode(options);

    static ConstNode Literal(string json) => new(Encoding.UTF8.GetBytes(json));

    /// <summary>A value as its compact JSON, the form the matcher accepts.</summary>
    static ConstNode Const(JsonElement value) => new(JsonSerializer.SerializeToUtf8Bytes(value, ConstOptions));

    static readonly JsonSerializerOptions ConstOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
