using System.Text.Json;

namespace Provocapi.Tests;

/// <summary>
/// A plain JSON Schema check for the keywords constrained decoding promises (type, properties, required, enum,
/// const, items, minItems, maxItems, minLength, maxLength, minimum, maximum and their exclusive forms, multipleOf, anyOf, oneOf,
/// local $ref), written apart from the engine's matcher so tests judge its output independently. Returns the first
/// problem, or null.
/// </summary>
public static class SchemaValidator
{
    public static string? Problem(JsonElement value, JsonElement schema) => Problem(value, schema, schema, "$");

    static string? Problem(JsonElement value, JsonElement schema, JsonElement root, string path)
    {
        if (schema.ValueKind == JsonValueKind.True) return null;
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var parts = reference.GetString()!.Split('/');
            return Problem(value, root.GetProperty(parts[1]).GetProperty(parts[2]), root, path);
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(value, constant)) return $"{path}: not the const";
        if (schema.TryGetProperty("enum", out var members) && !members.EnumerateArray().Any(m => JsonElement.DeepEquals(value, m))) return $"{path}: not in the enum";
        foreach (var combinator in (string[])["anyOf", "oneOf"])
            if (schema.TryGetProperty(combinator, out var options) && options.EnumerateArray().All(o => Problem(value, o, root, path) != null))
                return $"{path}: matches none of {combinator}";
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!types.Any(t => IsType(value, t))) return $"{path}: {value.ValueKind} is not {string.Join("|", types)}";
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
                foreach (var name in required.EnumerateArray())
                    if (!value.TryGetProperty(name.GetString()!, out _)) return $"{path}: missing required '{name.GetString()}'";
            if (schema.TryGetProperty("properties", out var properties))
                foreach (var property in value.EnumerateObject())
                {
                    if (!properties.TryGetProperty(property.Name, out var propertySchema)) return $"{path}: unexpected property '{property.Name}'";
                    if (Problem(property.Value, propertySchema, root, $"{path}.{property.Name}") is { } problem) return problem;
                }
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            // Lengths count code points.
            var length = value.GetString()!.EnumerateRunes().Count();
            if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32()) return $"{path}: shorter than minLength";
            if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32()) return $"{path}: longer than maxLength";
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            if (schema.TryGetProperty("minimum", out var min) && number < min.GetDouble()) return $"{path}: below minimum";
            if (schema.TryGetProperty("exclusiveMinimum", out var above) && number <= above.GetDouble()) return $"{path}: not above exclusiveMinimum";
            if (schema.TryGetProperty("maximum", out var max) && number > max.GetDouble()) return $"{path}: above maximum";
            if (schema.TryGetProperty("exclusiveMaximum", out var below) && number >= below.GetDouble()) return $"{path}: not below exclusiveMaximum";
            // In decimal, where 0.3 is a multiple of 0.1.
            if (schema.TryGetProperty("multipleOf", out var step) && value.GetDecimal() % step.GetDecimal() != 0) return $"{path}: not a multiple of multipleOf";
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            var length = value.GetArrayLength();
            if (schema.TryGetProperty("minItems", out var min) && length < min.GetInt32()) return $"{path}: fewer than minItems";
            if (schema.TryGetProperty("maxItems", out var max) && length > max.GetInt32()) return $"{path}: more than maxItems";
            if (schema.TryGetProperty("items", out var items))
            {
                var i = 0;
                foreach (var item in value.EnumerateArray())
                    if (Problem(item, items, root, $"{path}[{i++}]") is { } problem) return problem;
            }
        }
        return null;
    }

    static bool IsType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };
}
