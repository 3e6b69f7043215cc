using System.Collections;
using System.Text.Json;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Converts values for a chat template. Callers pass plain .NET values (string, bool, integers, floating point, null,
/// lists, string-keyed dictionaries) or JSON; the template sees Python's types.
/// </summary>
public static class ChatTemplateValues
{
    const int MaxDepth = 128;

    /// <summary>A JSON value as plain .NET values: objects become dictionaries, integers long, other numbers double.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>A caller's value in the template's own types (copied, so a render never changes the caller's data).</summary>
    internal static object? Import(object? value, int depth = 0)
    {
        if (depth > MaxDepth) throw new ChatTemplateException($"TemplateRuntimeError: a variable is nested deeper than {MaxDepth} levels");
        switch (value)
        {
            case null or string or bool or long or double: return value;
            case int or short or sbyte or byte or ushort or uint: return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            case ulong u: return u <= long.MaxValue ? (long)u : (double)u;
            case float f: return (double)f;
            case decimal m: return (double)m;
            case char c: return c.ToString();
            case JsonElement json: return Import(FromJson(json), depth);
            case IReadOnlyDictionary<string, object?> map:
                var dict = new TemplateDict(map.Count);
                foreach (var (key, item) in map) dict.Set(key, Import(item, depth + 1));
                return dict;
            case IDictionary map:
                var converted = new TemplateDict(map.Count);
                foreach (DictionaryEntry entry in map) converted.Set(Import(entry.Key, depth + 1), Import(entry.Value, depth + 1));
                return converted;
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items) list.Add(Import(item, depth + 1));
                return list;
            default:
                throw new ChatTemplateException($"TemplateRuntimeError: a variable of type {value.GetType().Name} cannot be passed to a chat template");
        }
    }
}
