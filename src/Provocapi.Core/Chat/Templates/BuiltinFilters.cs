using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Jinja2's filters as in jinja2/filters.py (3.1), plus Hugging Face's <c>tojson</c>. Like Jinja2, <c>map</c>,
/// <c>select</c>, <c>reject</c>, <c>selectattr</c>, <c>rejectattr</c>, <c>unique</c> and <c>items</c> return generators,
/// so <c>x | map(...) | tojson</c> fails as it does in Python; sorting and comparisons ignore case unless asked not to.
/// </summary>
internal static partial class BuiltinFilters
{
    delegate object? Filter(TemplateRenderer renderer, object? value, CallArguments arguments);

    static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["default"] = (_, v, a) => v is Undefined || (PythonValues.IsTruthy(a.Get(1, "boolean", false)) && !PythonValues.IsTruthy(v)) ? a.Get(0, "default_value", "") : v,
        ["length"] = (_, v, _) => (long)PythonValues.Length(v),
        ["first"] = (_, v, _) => First(v),
        ["last"] = (_, v, _) => Last(v),
        ["join"] = (r, v, a) => Join(v, a),
        ["upper"] = (_, v, _) => PythonValues.Str(v).ToUpperInvariant(),
        ["lower"] = (_, v, _) => PythonValues.Str(v).ToLowerInvariant(),
        ["capitalize"] = (_, v, _) => PythonText.Capitalize(PythonValues.Str(v)),
        ["title"] = (_, v, _) => Title(PythonValues.Str(v)),
        ["trim"] = (_, v, a) => PythonText.Strip(PythonValues.Str(v), a.Get(0, "chars") as string),
        ["string"] = (_, v, _) => PythonValues.Str(v),
        ["safe"] = (_, v, _) => v as Markup ?? new Markup(PythonValues.Str(v)),
        ["escape"] = (_, v, _) => v as Markup ?? new Markup(Markup.Escape(PythonValues.Str(v))),
        ["replace"] = (_, v, a) => PythonMethods.Replace(PythonValues.Str(v), PythonValues.Str(a.Get(0, "old")), PythonValues.Str(a.Get(1, "new")),
            a.Get(2, "count") is { } count ? PythonMethods.Integer(count) : -1),
        ["indent"] = (_, v, a) => Indent(PythonValues.Str(v), a.Get(0, "width", 4L), PythonValues.IsTruthy(a.Get(1, "first", false)), PythonValues.IsTruthy(a.Get(2, "blank", false))),
        ["center"] = (_, v, a) => PythonMethods.Center(PythonValues.Str(v), PythonMethods.Width(a.Get(0, "width", 80L))),
        ["wordcount"] = (_, v, _) => (long)WordPattern().Count(PythonValues.Str(v)),
        ["format"] = (_, v, a) => PythonFormatting.Percent(PythonValues.Str(v), a.Named.Count > 0
            ? a.Named.Aggregate(new TemplateDict(), (d, p) => { d.Set(p.Key, p.Value); return d; })
            : new TemplateTuple([.. a.Positional])),
        ["tojson"] = (_, v, a) => ToJson(v, a),
        ["int"] = (_, v, a) => ToInt(v, a.Get(0, "default", 0L), PythonMethods.Integer(a.Get(1, "base", 10L))),
        ["float"] = (_, v, a) => ToFloat(v, a.Get(0, "default", 0.0)),
        ["abs"] = (_, v, _) => v switch
        {
            long l => (object)Math.Abs(l),
            double d => Math.Abs(d),
            bool b => b ? 1L : 0L,
            _ => throw new ChatTemplateException($"TypeError: bad operand type for abs(): '{PythonValues.TypeName(v)}'"),
        },
        ["round"] = (_, v, a) => Round(v, (int)PythonMethods.Integer(a.Get(0, "precision", 0L)), PythonValues.Str(a.Get(1, "method", "common"))),
        ["list"] = (_, v, _) => PythonValues.ToList(v),
        ["items"] = (_, v, _) => v switch
        {
            Undefined => new TemplateGenerator([]),
            TemplateDict dict => new TemplateGenerator(dict.Select(p => (object?)new TemplateTuple([p.Key, p.Value]))),
            _ => throw new ChatTemplateException("FilterArgumentError: Can only get item pairs from a mapping."),
        },
        ["dictsort"] = (_, v, a) => DictSort(v, a),
        ["sort"] = (_, v, a) => Sort(v, a),
        ["unique"] = (_, v, a) => Unique(v, a),
        ["reverse"] = (_, v, _) => Reverse(v),
        ["sum"] = (_, v, a) => Sum(v, a),
        ["min"] = (_, v, a) => MinOrMax(v, a, max: false),
        ["max"] = (_, v, a) => MinOrMax(v, a, max: true),
        ["batch"] = (_, v, a) => Batch(v, (int)PythonMethods.Integer(a.Get(0, "linecount")), a.Has(1, "fill_with"), a.Get(1, "fill_with")),
        ["map"] = Map,
        ["select"] = (r, v, a) => SelectOrReject(r, v, a, byAttribute: false, keep: true),
        ["reject"] = (r, v, a) => SelectOrReject(r, v, a, byAttribute: false, keep: false),
        ["selectattr"] = (r, v, a) => SelectOrReject(r, v, a, byAttribute: true, keep: true),
        ["rejectattr"] = (r, v, a) => SelectOrReject(r, v, a, byAttribute: true, keep: false),
        ["attr"] = (_, v, a) => ObjectModel.GetAttribute(v, PythonValues.Str(a.Get(0, "name"))),
    };

    static BuiltinFilters()
    {
        Filters["d"] = Filters["default"];
        Filters["count"] = Filters["length"];
        Filters["e"] = Filters["escape"];
    }

    /// <summary>Filters that see a Markup value as such; the rest see its text.</summary>
    static readonly HashSet<string> KeepsMarkup = ["safe", "escape", "e", "default", "d"];

    public static bool Exists(string name) => Filters.ContainsKey(name);

    public static object? Apply(TemplateRenderer renderer, string name, object? value, CallArguments arguments) =>
        Filters.TryGetValue(name, out var filter)
            ? filter(renderer, KeepsMarkup.Contains(name) ? value : Markup.Unwrap(value), arguments)
            : throw new ChatTemplateException($"TemplateRuntimeError: no filter named '{name}'");

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();

    static object? First(object? value)
    {
        foreach (var item in PythonValues.Iterate(value)) return item;
        return new Undefined("No first item, sequence was empty.");
    }

    static object? Last(object? value)
    {
        if (value is TemplateGenerator) throw new ChatTemplateException("TypeError: 'generator' object is not reversible");
        var items = PythonValues.ToList(value);
        return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
    }

    static string Join(object? value, CallArguments arguments)
    {
        var items = PythonValues.Iterate(value);
        if (arguments.Get(1, "attribute") is { } attribute) items = items.Select(AttributeGetter(attribute, null, false));
        var separator = PythonValues.Str(arguments.Get(0, "d", ""));
        var length = 0L;
        var texts = new List<string>();
        foreach (var item in items)
        {
            var text = PythonValues.Str(item);
            length += text.Length + separator.Length;
            RenderSizeLimit.Check(length);
            texts.Add(text);
        }
        return string.Join(separator, texts);
    }

    /// <summary>Jinja2's title: each word (after -, whitespace or an opening bracket) capitalised.</summary>
    static string Title(string s) => string.Concat(WordBeginning().Split(s).Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));

    /// <summary>Jinja2's indent: every line but the first (and blank lines only when asked) gets the prefix.</summary>
    static string Indent(string s, object? width, bool first, bool blank)
    {
        var prefix = width as string ?? new string(' ', PythonMethods.Width(width));
        RenderSizeLimit.Check((long)prefix.Length * (s.AsSpan().Count('\n') + 2) + s.Length);
        var lines = PythonText.SplitLines(s + "\n");
        string result;
        if (blank) result = string.Join("\n" + prefix, lines);
        else
        {
            result = lines[0];
            if (lines.Count > 1) result += "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? prefix + l : l));
        }
        return first ? prefix + result : result;
    }

    static string ToJson(object? value, CallArguments arguments)
    {
        var indent = arguments.Get(1, "indent") switch
        {
            null => null,
            string s => s,
            var width => new string(' ', PythonMethods.Width(width)),
        };
        string? itemSeparator = null;
        var keySeparator = ": ";
        if (arguments.Get(2, "separators") is { } separators and not null)
        {
            var pair = PythonValues.ToList(separators);
            if (pair.Count != 2) throw new ChatTemplateException("ValueError: separators must be a pair of strings");
            itemSeparator = PythonValues.Str(pair[0]);
            keySeparator = PythonValues.Str(pair[1]);
        }
        return TemplateJson.Serialize(value, indent, itemSeparator, keySeparator, PythonValues.IsTruthy(arguments.Get(3, "sort_keys", false)));
    }

    static object? ToInt(object? value, object? fallback, long numberBase)
    {
        switch (value)
        {
            case long or bool: return PythonMethods.Integer(value);
            case double d: return double.IsFinite(d) ? (long)Math.Truncate(d) : fallback;
            case string s:
                var text = s.Trim(PythonText.WhitespaceChars).Replace("_", "");
                if (numberBase == 10 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                if (numberBase != 10)
                {
                    try
                    {
                        var negative = text.StartsWith('-');
                        var digits = text.TrimStart('+', '-');
                        if (digits.Length > 2 && digits[0] == '0' && char.IsLetter(digits[1])) digits = digits[2..];
                        var magnitude = Convert.ToInt64(digits, (int)numberBase);
                        return negative ? -magnitude : magnitude;
                    }
                    catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                    {
                        return fallback;
                    }
                }
                return ToFloat(s, null) is double real && double.IsFinite(real) ? (long)Math.Truncate(real) : fallback;
            default: return fallback;
        }
    }

    static object? ToFloat(object? value, object? fallback) => value switch
    {
        double d => d,
        long or bool => PythonValues.ToDouble(value),
        string s => s.Trim(PythonText.WhitespaceChars).Replace("_", "").ToLowerInvariant() switch
        {
            "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
            "-inf" or "-infinity" => double.NegativeInfinity,
            "nan" or "+nan" or "-nan" => double.NaN,
            var t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback,
        },
        _ => fallback,
    };

    static object Round(object? value, int precision, string method)
    {
        if (value is long or bool && method == "common") return PythonMethods.Integer(value);
        var number = PythonValues.ToDouble(value);
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => Math.Round(number, Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(number * scale) / scale,
            "floor" => Math.Floor(number * scale) / scale,
            _ => throw new ChatTemplateException("FilterArgumentError: method must be common, ceil or floor"),
        };
    }

    /// <summary>Jinja2's make_attrgetter: a dotted path of items (numbers index lists); strings lower-cased to ignore case.</summary>
    static Func<object?, object?> AttributeGetter(object? attribute, object? fallback, bool ignoreCase)
    {
        var parts = attribute is string path ? path.Split('.').Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (object)n : p).ToArray<object?>() : [attribute];
        return item =>
        {
            foreach (var part in parts) item = ObjectModel.GetItem(item, part);
            if (fallback != null && item is Undefined) item = fallback;
            return ignoreCase && item is string s ? s.ToLowerInvariant() : item;
        };
    }

    static Func<object?, object?> SortKey(object? attribute, bool ignoreCase) => attribute == null
        ? item => ignoreCase && item is string s ? s.ToLowerInvariant() : item
        : AttributeGetter(attribute, null, ignoreCase);

    static readonly Comparer<object?> PythonOrder = Comparer<object?>.Create(PythonValues.Compare);

    static List<object?> DictSort(object? value, CallArguments arguments)
    {
        if (value is not TemplateDict dict) throw new ChatTemplateException("FilterArgumentError: dictsort needs a mapping");
        var ignoreCase = !PythonValues.IsTruthy(arguments.Get(0, "case_sensitive", false));
        var byValue = PythonValues.Str(arguments.Get(1, "by", "key")) switch
        {
            "key" => false,
            "value" => true,
            _ => throw new ChatTemplateException("FilterArgumentError: You can only sort by either \"key\" or \"value\""),
        };
        var key = SortKey(null, ignoreCase);
        var pairs = dict.Select(p => new TemplateTuple([p.Key, p.Value]));
        var sorted = PythonValues.IsTruthy(arguments.Get(2, "reverse", false))
            ? pairs.OrderByDescending(t => key(t[byValue ? 1 : 0]), PythonOrder)
            : pairs.OrderBy(t => key(t[byValue ? 1 : 0]), PythonOrder);
        return [.. sorted];
    }

    static List<object?> Sort(object? value, CallArguments arguments)
    {
        var key = SortKey(arguments.Get(2, "attribute"), !PythonValues.IsTruthy(arguments.Get(1, "case_sensitive", false)));
        var items = PythonValues.Iterate(value);
        return PythonValues.IsTruthy(arguments.Get(0, "reverse", false)) ? [.. items.OrderByDescending(key, PythonOrder)] : [.. items.OrderBy(key, PythonOrder)];
    }

    static TemplateGenerator Unique(object? value, CallArguments arguments)
    {
        var key = SortKey(arguments.Get(1, "attribute"), !PythonValues.IsTruthy(arguments.Get(0, "case_sensitive", false)));
        IEnumerable<object?> Distinct()
        {
            var seen = new TemplateDict();
            foreach (var item in PythonValues.Iterate(value))
            {
                var k = key(item);
                if (seen.ContainsKey(k)) continue;
                seen.Set(k, null);
                yield return item;
            }
        }
        return new TemplateGenerator(Distinct());
    }

    static object? Reverse(object? value) => value switch
    {
        string s => string.Concat(PythonValues.CodePoints(s).Reverse()),
        TemplateGenerator g => g.Reverse().ToList(),
        IReadOnlyList<object?> list => new TemplateGenerator(list.Reverse(), list is TemplateTuple ? "reversed" : "list_reverseiterator"),
        TemplateDict dict => new TemplateGenerator(dict.Keys.Reverse(), "dict_reversekeyiterator"),
        _ => throw new ChatTemplateException($"TypeError: '{PythonValues.TypeName(value)}' object is not reversible"),
    };

    static object? Sum(object? value, CallArguments arguments)
    {
        var items = PythonValues.Iterate(value);
        if (arguments.Get(0, "attribute") is { } attribute) items = items.Select(AttributeGetter(attribute, null, false));
        return items.Aggregate(arguments.Get(1, "start", 0L), (total, item) => PythonOperators.Binary(BinaryOperator.Add, total, item));
    }

    static object? MinOrMax(object? value, CallArguments arguments, bool max)
    {
        var key = SortKey(arguments.Get(1, "attribute"), !PythonValues.IsTruthy(arguments.Get(0, "case_sensitive", false)));
        var items = PythonValues.ToList(value);
        if (items.Count == 0) return new Undefined("No aggregated item, sequence was empty.");
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            var order = PythonValues.Compare(key(item), key(best));
            if (max ? order > 0 : order < 0) best = item;
        }
        return best;
    }

    static TemplateGenerator Batch(object? value, int size, bool fill, object? fillWith)
    {
        if (size <= 0) throw new ChatTemplateException("ValueError: batch size must be positive");
        IEnumerable<object?> Batches()
        {
            var batch = new List<object?>();
            foreach (var item in PythonValues.Iterate(value))
            {
                batch.Add(item);
                if (batch.Count < size) continue;
                yield return batch;
                batch = [];
            }
            if (batch.Count == 0) yield break;
            if (fill) while (batch.Count < size) batch.Add(fillWith);
            yield return batch;
        }
        return new TemplateGenerator(Batches());
    }

    static object? Map(TemplateRenderer renderer, object? value, CallArguments arguments)
    {
        if (!PythonValues.IsTruthy(value)) return new TemplateGenerator([]);
        var items = PythonValues.Iterate(value);
        if (arguments.Positional.Count == 0 && arguments.Named.Count > 0)
        {
            var getter = AttributeGetter(arguments.Get(-1, "attribute"), arguments.Get(-1, "default"), false);
            return new TemplateGenerator(items.Select(getter));
        }
        if (arguments.Positional.Count == 0) return new TemplateGenerator(items);
        var name = PythonValues.Str(arguments.Positional[0]);
        var rest = new CallArguments([.. arguments.Positional.Skip(1)], arguments.Named);
        return new TemplateGenerator(items.Select(item => Apply(renderer, name, item, rest)));
    }

    static TemplateGenerator SelectOrReject(TemplateRenderer renderer, object? value, CallArguments arguments, bool byAttribute, bool keep)
    {
        // Jinja2 yields nothing for a false value (None included) instead of failing to iterate it.
        if (!PythonValues.IsTruthy(value)) return new TemplateGenerator([]);
        var offset = byAttribute ? 1 : 0;
        Func<object?, object?> transform = byAttribute ? AttributeGetter(arguments.Get(0, "attribute"), null, false) : item => item;
        Func<object?, bool> predicate;
        if (arguments.Positional.Count > offset)
        {
            var test = PythonValues.Str(arguments.Positional[offset]);
            var rest = new CallArguments([.. arguments.Positional.Skip(offset + 1)], arguments.Named);
            predicate = item => BuiltinTests.Run(renderer, test, item, rest);
        }
        else predicate = PythonValues.IsTruthy;
        return new TemplateGenerator(PythonValues.Iterate(value).Where(item => predicate(transform(item)) == keep));
    }
}
