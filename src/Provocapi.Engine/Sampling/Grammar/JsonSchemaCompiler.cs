using System.Text;
using System.Text.Json;

namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// Compiles a JSON Schema to <see cref="JsonSchemaNode"/>s: type (one or a list), properties, required, enum, const,
/// items, minItems, maxItems, anyOf and oneOf (both as anyOf), a one-member allOf, and local <c>$ref</c>s into
/// <c>$defs</c> or <c>definitions</c>. Annotations (title, description, format, ...) are ignored; validation keywords
/// it could not enforce are refused rather than silently dropped, so a constrained reply always validates.
/// </summary>
public static class JsonSchemaCompiler
{
    const int MaxDepth = 32;

    static readonly HashSet<string> Refused =
    [
        "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "not",
        "if", "then", "else", "patternProperties", "uniqueItems", "contains", "minContains", "maxContains", "propertyNames",
        "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "prefixItems", "unevaluatedProperties", "unevaluatedItems",
    ];

    public static JsonSchemaNode Compile(JsonElement schema) => Compile(schema, schema, 0, []);

    static JsonSchemaNode Compile(JsonElement schema, JsonElement root, int depth, HashSet<string> expanding)
    {
        if (depth > MaxDepth) throw new JsonSchemaException($"the schema nests deeper than {MaxDepth} levels");
        if (schema.ValueKind == JsonValueKind.True) return AnyValueNode.Instance;
        if (schema.ValueKind != JsonValueKind.Object) throw new JsonSchemaException("a schema must be an object (or true)");
        foreach (var keyword in schema.EnumerateObject())
            if (Refused.Contains(keyword.Name)) throw new JsonSchemaException($"the keyword '{keyword.Name}' is not supported");

        if (schema.TryGetProperty("$ref", out var reference)) return Reference(reference, root, depth, expanding);
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
                return Either(options.EnumerateArray().Select(o => Compile(o, root, depth + 1, expanding)).ToList());
            }
        if (schema.TryGetProperty("allOf", out var all))
        {
            if (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() != 1) throw new JsonSchemaException("'allOf' is supported with exactly one member");
            return Compile(all[0], root, depth + 1, expanding);
        }
        if (!schema.TryGetProperty("type", out var type)) return schema.TryGetProperty("properties", out _) ? Typed("object", schema, root, depth, expanding) : AnyValueNode.Instance;
        if (type.ValueKind == JsonValueKind.String) return Typed(type.GetString()!, schema, root, depth, expanding);
        if (type.ValueKind != JsonValueKind.Array || type.GetArrayLength() == 0) throw new JsonSchemaException("'type' must be a string or a non-empty array of strings");
        return Either(type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String
            ? Typed(t.GetString()!, schema, root, depth, expanding)
            : throw new JsonSchemaException("'type' must be a string or a non-empty array of strings")).ToList());
    }

    static JsonSchemaNode Typed(string type, JsonElement schema, JsonElement root, int depth, HashSet<string> expanding) => type switch
    {
        "string" => StringNode.Instance,
        "number" => NumberNode.Number,
        "integer" => NumberNode.Integer,
        "boolean" => Either([Literal("true"), Literal("false")]),
        "null" => Literal("null"),
        "array" => Array(schema, root, depth, expanding),
        "object" => Object(schema, root, depth, expanding),
        _ => throw new JsonSchemaException($"unknown type '{type}'"),
    };

    static JsonSchemaNode Array(JsonElement schema, JsonElement root, int depth, HashSet<string> expanding)
    {
        var items = schema.TryGetProperty("items", out var i) ? Compile(i, root, depth + 1, expanding) : AnyValueNode.Instance;
        var min = Count(schema, "minItems") ?? 0;
        var max = Count(schema, "maxItems") ?? int.MaxValue;
        if (max < min) throw new JsonSchemaException("'maxItems' is below 'minItems'");
        return new ArrayNode(items, min, max);
    }

    static JsonSchemaNode Object(JsonElement schema, JsonElement root, int depth, HashSet<string> expanding)
    {
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object || !properties.EnumerateObject().Any())
            return ObjectNode.AnyProperties;
        var list = properties.EnumerateObject().Select(p => (p.Name, Compile(p.Value, root, depth + 1, expanding))).ToList();
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

    static JsonSchemaNode Reference(JsonElement reference, JsonElement root, int depth, HashSet<string> expanding)
    {
        var path = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        var parts = path.Split('/');
        if (parts.Length != 3 || parts[0] != "#" || parts[1] is not ("$defs" or "definitions"))
            throw new JsonSchemaException($"'$ref' must point into this schema's $defs or definitions (got '{path}')");
        if (!root.TryGetProperty(parts[1], out var definitions) || definitions.ValueKind != JsonValueKind.Object || !definitions.TryGetProperty(parts[2], out var target))
            throw new JsonSchemaException($"'$ref' points to '{path}', which the schema does not define");
        if (!expanding.Add(path)) throw new JsonSchemaException($"recursive '$ref' ('{path}') is not supported");
        try { return Compile(target, root, depth + 1, expanding); }
        finally { expanding.Remove(path); }
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
