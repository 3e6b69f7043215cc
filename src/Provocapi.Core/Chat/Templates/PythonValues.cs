using System.Globalization;
using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Python's semantics for template values: type names, truth, equality, ordering, iteration, length, str() and
/// repr(). Values are null (None), bool, long (int), double (float), string, <see cref="List{T}"/> (list),
/// <see cref="TemplateTuple"/>, <see cref="TemplateDict"/>, and the template's own objects.
/// </summary>
internal static class PythonValues
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        string => "str",
        bool => "bool",
        long => "int",
        double => "float",
        TemplateTuple => "tuple",
        IReadOnlyList<object?> => "list",
        TemplateDict => "dict",
        TemplateGenerator g => g.TypeName,
        TemplateNamespace => "Namespace",
        LoopContext => "LoopContext",
        Undefined => "Undefined",
        TemplateMacro => "Macro",
        Markup => "Markup",
        _ => "function",
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new ChatTemplateException($"TypeError: expected a number, got '{TypeName(value)}'"),
    };

    public static bool IsTruthy(object? value) => Markup.Unwrap(value) switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        TemplateDict dict => dict.Count > 0,
        Undefined => false,
        _ => true,
    };

    public static bool AreEqual(object? a, object? b)
    {
        a = Markup.Unwrap(a);
        b = Markup.Unwrap(b);
        if (ReferenceEquals(a, b)) return true;
        switch (a)
        {
            case null: return b == null;
            case string s: return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case long or double or bool:
                if (!IsNumber(b)) return false;
                return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToLong(a) == ToLong(b);
            case TemplateTuple tuple: return b is TemplateTuple otherTuple && SequenceEqual(tuple, otherTuple);
            case IReadOnlyList<object?> list: return b is IReadOnlyList<object?> otherList and not TemplateTuple && SequenceEqual(list, otherList);
            case TemplateDict dict:
                if (b is not TemplateDict otherDict || dict.Count != otherDict.Count) return false;
                foreach (var (key, value) in dict)
                    if (!otherDict.TryGetValue(key, out var other) || !AreEqual(value, other)) return false;
                return true;
            case Undefined: return b is Undefined;
            default: return false;
        }
    }

    static bool SequenceEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count) return false;
        for (var i = 0; i < x.Count; i++)
            if (!AreEqual(x[i], y[i])) return false;
        return true;
    }

    static long ToLong(object? value) => value is bool b ? (b ? 1 : 0) : (long)value!;

    /// <summary>Python's ordering (&lt;): numbers with numbers, strings by code point, sequences item by item.</summary>
    public static int Compare(object? a, object? b)
    {
        a = Markup.Unwrap(a);
        b = Markup.Unwrap(b);
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToLong(a).CompareTo(ToLong(b));
        if (a is string s && b is string t) return Math.Sign(string.CompareOrdinal(s, t));
        if (a is IReadOnlyList<object?> x && b is IReadOnlyList<object?> y && (a is TemplateTuple) == (b is TemplateTuple))
        {
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
                if (!AreEqual(x[i], y[i])) return Compare(x[i], y[i]);
            return x.Count.CompareTo(y.Count);
        }
        throw new ChatTemplateException($"TypeError: '<' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    /// <summary>What a for loop over the value visits: a string's characters, a dict's keys, a list's items.</summary>
    public static IEnumerable<object?> Iterate(object? value) => Markup.Unwrap(value) switch
    {
        string s => Characters(s),
        IEnumerable<object?> items => items,
        TemplateDict dict => dict.Keys,
        Undefined => [],
        var other => throw new ChatTemplateException($"TypeError: '{TypeName(other)}' object is not iterable"),
    };

    public static List<object?> ToList(object? value) => [.. Iterate(value)];

    /// <summary>Python's len(); a generator has none.</summary>
    public static int Length(object? value) => Markup.Unwrap(value) switch
    {
        string s => CodePoints(s).Length,
        IReadOnlyList<object?> list => list.Count,
        TemplateDict dict => dict.Count,
        TemplateNamespace ns => ns.Attributes.Count,
        Undefined => 0,
        var other => throw new ChatTemplateException($"TypeError: object of type '{TypeName(other)}' has no len()"),
    };

    static IEnumerable<object?> Characters(string s)
    {
        for (var i = 0; i < s.Length; i++)
            yield return char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? s.Substring(i++, 2) : s[i].ToString();
    }

    /// <summary>A string's code points, as Python indexes it (a surrogate pair is one character).</summary>
    public static string[] CodePoints(string s)
    {
        if (!s.AsSpan().ContainsAnyInRange('\ud800', '\udfff'))
        {
            var chars = new string[s.Length];
            for (var i = 0; i < s.Length; i++) chars[i] = s[i].ToString();
            return chars;
        }
        return [.. Characters(s).Cast<string>()];
    }

    /// <summary>Python's str(): what <c>{{ value }}</c> prints. Undefined prints as nothing.</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        Markup markup => markup.Value,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var text = new StringBuilder();
        AppendRepr(text, value, 0);
        return text.ToString();
    }

    static void AppendRepr(StringBuilder text, object? value, int depth)
    {
        if (depth > 100) throw new ChatTemplateException("RecursionError: value nested too deeply to print");
        RenderSizeLimit.Check(text.Length);
        switch (value)
        {
            case null: text.Append("None"); break;
            case bool b: text.Append(b ? "True" : "False"); break;
            case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: text.Append(PythonText.FormatFloat(d)); break;
            case string s: text.Append(PythonText.Repr(s)); break;
            case Markup markup: text.Append("Markup(").Append(PythonText.Repr(markup.Value)).Append(')'); break;
            case TemplateTuple t:
                text.Append('(');
                for (var i = 0; i < t.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    AppendRepr(text, t[i], depth + 1);
                }
                text.Append(t.Count == 1 ? ",)" : ")");
                break;
            case IReadOnlyList<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    AppendRepr(text, list[i], depth + 1);
                }
                text.Append(']');
                break;
            case TemplateDict dict:
                text.Append('{');
                var first = true;
                foreach (var (key, item) in dict)
                {
                    if (!first) text.Append(", ");
                    first = false;
                    AppendRepr(text, key, depth + 1);
                    text.Append(": ");
                    AppendRepr(text, item, depth + 1);
                }
                text.Append('}');
                break;
            case Undefined: text.Append("Undefined"); break;
            case TemplateNamespace ns:
                text.Append("<Namespace {");
                text.AppendJoin(", ", ns.Attributes.Select(a => PythonText.Repr(a.Key) + ": " + Repr(a.Value)));
                text.Append("}>");
                break;
            case TemplateMacro m: text.Append("<Macro '").Append(m.Name).Append("'>"); break;
            default: text.Append('<').Append(TypeName(value)).Append(" object>"); break;
        }
    }
}
