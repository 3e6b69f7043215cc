using System.Globalization;
using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Hugging Face's <c>tojson</c> filter, which is Python's <c>json.dumps(value, ensure_ascii=False, indent=...,
/// separators=..., sort_keys=...)</c>: non-ASCII text as is, floats as Python prints them, <c>", "</c> and <c>": "</c>
/// between items by default (<c>","</c> when indenting). Jinja2's own tojson would HTML-escape; Hugging Face's does not.
/// </summary>
internal static class TemplateJson
{
    public static string Serialize(object? value, string? indent, string? itemSeparator, string keySeparator, bool sortKeys)
    {
        var text = new StringBuilder();
        Write(text, value, indent, itemSeparator ?? (indent == null ? ", " : ","), keySeparator, sortKeys, 0);
        return text.ToString();
    }

    static void Write(StringBuilder text, object? value, string? indent, string itemSeparator, string keySeparator, bool sortKeys, int depth)
    {
        if (depth > 200) throw new ChatTemplateException("ValueError: value nested too deeply for JSON");
        RenderSizeLimit.Check(text.Length);
        switch (Markup.Unwrap(value))
        {
            case null: text.Append("null"); return;
            case bool b: text.Append(b ? "true" : "false"); return;
            case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case double d:
                text.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PythonText.FormatFloat(d));
                return;
            case string s: WriteString(text, s); return;
            case IReadOnlyList<object?> list:
                if (list.Count == 0)
                {
                    text.Append("[]");
                    return;
                }
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) text.Append(itemSeparator);
                    NewLine(text, indent, depth + 1);
                    Write(text, list[i], indent, itemSeparator, keySeparator, sortKeys, depth + 1);
                }
                NewLine(text, indent, depth);
                text.Append(']');
                return;
            case TemplateDict dict:
                if (dict.Count == 0)
                {
                    text.Append("{}");
                    return;
                }
                var pairs = dict.Select(p => new KeyValuePair<string, object?>(KeyText(p.Key), p.Value));
                if (sortKeys) pairs = pairs.OrderBy(p => p.Key, StringComparer.Ordinal);
                text.Append('{');
                var first = true;
                foreach (var (key, item) in pairs)
                {
                    if (!first) text.Append(itemSeparator);
                    first = false;
                    NewLine(text, indent, depth + 1);
                    WriteString(text, key);
                    text.Append(keySeparator);
                    Write(text, item, indent, itemSeparator, keySeparator, sortKeys, depth + 1);
                }
                NewLine(text, indent, depth);
                text.Append('}');
                return;
            default:
                throw new ChatTemplateException($"TypeError: Object of type {PythonValues.TypeName(value)} is not JSON serializable");
        }
    }

    static string KeyText(object key) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long or double => PythonValues.Repr(key),
        _ => throw new ChatTemplateException($"TypeError: keys must be str, int, float, bool or None, not {PythonValues.TypeName(key)}"),
    };

    static void NewLine(StringBuilder text, string? indent, int depth)
    {
        if (indent == null) return;
        text.Append('\n');
        for (var i = 0; i < depth; i++) text.Append(indent);
    }

    static void WriteString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }
}
