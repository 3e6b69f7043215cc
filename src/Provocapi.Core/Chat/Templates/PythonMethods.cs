namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// The methods of Python's str, dict and list that templates call (<c>content.strip()</c>, <c>message.get('x')</c>).
/// Methods that change a list or dict are refused as Jinja2's ImmutableSandboxedEnvironment refuses them.
/// </summary>
internal static class PythonMethods
{
    static readonly HashSet<string> UnsafeListMethods = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"];
    static readonly HashSet<string> UnsafeDictMethods = ["clear", "pop", "popitem", "setdefault", "update"];

    /// <summary>The bound method, an Undefined that raises when the sandbox refuses it, or null when there is none.</summary>
    public static object? Bind(object? owner, string name) => owner switch
    {
        string s => StringMethod(s, name),
        TemplateDict dict => UnsafeDictMethods.Contains(name) ? Undefined.Unsafe(owner, name) : DictMethod(dict, name),
        IReadOnlyList<object?> list => owner is not TemplateTuple && UnsafeListMethods.Contains(name) ? Undefined.Unsafe(owner, name) : ListMethod(list, name),
        _ => null,
    };

    static NativeFunction? DictMethod(TemplateDict dict, string name) => name switch
    {
        "get" => new(name, (_, a) => dict.TryGetValue(a.Get(0, "key"), out var value) ? value : a.Get(1, "default")),
        "items" => new(name, (_, _) => dict.Select(p => (object?)new TemplateTuple([p.Key, p.Value])).ToList()),
        "keys" => new(name, (_, _) => dict.Keys.Cast<object?>().ToList()),
        "values" => new(name, (_, _) => dict.Values.ToList()),
        "copy" => new(name, (_, _) => dict),
        _ => null,
    };

    static NativeFunction? ListMethod(IReadOnlyList<object?> list, string name) => name switch
    {
        "index" => new(name, (_, a) =>
        {
            var item = a.Get(0, "value");
            for (var i = 0; i < list.Count; i++)
                if (PythonValues.AreEqual(list[i], item)) return (long)i;
            throw new ChatTemplateException($"ValueError: {PythonValues.Repr(item)} is not in list");
        }),
        "count" => new(name, (_, a) => (long)list.Count(x => PythonValues.AreEqual(x, a.Get(0, "value")))),
        _ => null,
    };

    static NativeFunction? StringMethod(string s, string name) => name switch
    {
        "strip" => new(name, (_, a) => PythonText.Strip(s, OptionalString(a, 0, "chars"))),
        "lstrip" => new(name, (_, a) => PythonText.Strip(s, OptionalString(a, 0, "chars"), right: false)),
        "rstrip" => new(name, (_, a) => PythonText.Strip(s, OptionalString(a, 0, "chars"), left: false)),
        "split" => new(name, (_, a) => PythonText.Split(s, OptionalString(a, 0, "sep"), Integer(a.Get(1, "maxsplit", -1L)), fromRight: false)),
        "rsplit" => new(name, (_, a) => PythonText.Split(s, OptionalString(a, 0, "sep"), Integer(a.Get(1, "maxsplit", -1L)), fromRight: true)),
        "splitlines" => new(name, (_, _) => PythonText.SplitLines(s).Cast<object?>().ToList()),
        "replace" => new(name, (_, a) => Replace(s, RequiredString(a, 0, "old"), RequiredString(a, 1, "new"), Integer(a.Get(2, "count", -1L)))),
        "startswith" => new(name, (_, a) => Affix(a.Get(0, "prefix")).Any(p => s.StartsWith(p, StringComparison.Ordinal))),
        "endswith" => new(name, (_, a) => Affix(a.Get(0, "suffix")).Any(p => s.EndsWith(p, StringComparison.Ordinal))),
        "upper" => new(name, (_, _) => s.ToUpperInvariant()),
        "lower" => new(name, (_, _) => s.ToLowerInvariant()),
        "casefold" => new(name, (_, _) => s.ToLowerInvariant()),
        "title" => new(name, (_, _) => PythonText.Title(s)),
        "capitalize" => new(name, (_, _) => PythonText.Capitalize(s)),
        "swapcase" => new(name, (_, _) => string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)))),
        "find" => new(name, (_, a) => (long)s.IndexOf(RequiredString(a, 0, "sub"), StringComparison.Ordinal)),
        "rfind" => new(name, (_, a) => (long)s.LastIndexOf(RequiredString(a, 0, "sub"), StringComparison.Ordinal)),
        "index" => new(name, (_, a) => s.IndexOf(RequiredString(a, 0, "sub"), StringComparison.Ordinal) is var i and >= 0
            ? (long)i : throw new ChatTemplateException("ValueError: substring not found")),
        "count" => new(name, (_, a) => (long)CountOccurrences(s, RequiredString(a, 0, "sub"))),
        "join" => new(name, (_, a) => string.Join(s, PythonValues.Iterate(a.Get(0, "iterable")).Select(x => x as string
            ?? throw new ChatTemplateException($"TypeError: sequence item: expected str instance, {PythonValues.TypeName(x)} found")))),
        "format" => new(name, (_, a) => PythonFormatting.Format(s, a)),
        "isdigit" or "isnumeric" or "isdecimal" => new(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
        "isalpha" => new(name, (_, _) => s.Length > 0 && s.All(char.IsLetter)),
        "isalnum" => new(name, (_, _) => s.Length > 0 && s.All(char.IsLetterOrDigit)),
        "isspace" => new(name, (_, _) => s.Length > 0 && s.All(PythonText.IsWhitespace)),
        "isupper" => new(name, (_, _) => s.Any(char.IsLetter) && !s.Any(char.IsLower)),
        "islower" => new(name, (_, _) => s.Any(char.IsLetter) && !s.Any(char.IsUpper)),
        "removeprefix" => new(name, (_, a) => RequiredString(a, 0, "prefix") is var p && s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s),
        "removesuffix" => new(name, (_, a) => RequiredString(a, 0, "suffix") is var p && p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s),
        "zfill" => new(name, (_, a) => Zfill(s, Width(a.Get(0, "width")))),
        "center" => new(name, (_, a) => Center(s, Width(a.Get(0, "width")))),
        "ljust" => new(name, (_, a) => s.PadRight(Width(a.Get(0, "width")))),
        "rjust" => new(name, (_, a) => s.PadLeft(Width(a.Get(0, "width")))),
        "partition" => new(name, (_, a) => Partition(s, RequiredString(a, 0, "sep"), fromRight: false)),
        "rpartition" => new(name, (_, a) => Partition(s, RequiredString(a, 0, "sep"), fromRight: true)),
        _ => null,
    };

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (replacement.Length > old.Length)
            RenderSizeLimit.Check(s.Length + (long)(replacement.Length - old.Length) * (old.Length == 0 ? s.Length + 1 : CountOccurrences(s, old)));
        if (count < 0) return old.Length == 0 ? string.Join(replacement, ["", .. PythonValues.CodePoints(s), ""]) : s.Replace(old, replacement, StringComparison.Ordinal);
        var result = new System.Text.StringBuilder();
        var pos = 0;
        for (var done = 0L; done < count; done++)
        {
            var i = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (i < 0 || old.Length == 0) break;
            result.Append(s, pos, i - pos).Append(replacement);
            pos = i + old.Length;
        }
        return result.Append(s, pos, s.Length - pos).ToString();
    }

    public static string Center(string s, int width)
    {
        if (width <= s.Length) return s;
        var padding = width - s.Length;
        // CPython puts the odd space on the left when the padding and the width are both odd.
        var left = padding / 2 + (padding & width & 1);
        return new string(' ', left) + s + new string(' ', padding - left);
    }

    static string Zfill(string s, int width)
    {
        if (s.Length >= width) return s;
        var sign = s.Length > 0 && s[0] is '+' or '-' ? s[..1] : "";
        return sign + new string('0', width - s.Length) + s[sign.Length..];
    }

    static TemplateTuple Partition(string s, string separator, bool fromRight)
    {
        var i = fromRight ? s.LastIndexOf(separator, StringComparison.Ordinal) : s.IndexOf(separator, StringComparison.Ordinal);
        if (i < 0) return fromRight ? new(["", "", s]) : new([s, "", ""]);
        return new([s[..i], separator, s[(i + separator.Length)..]]);
    }

    static int CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0) return PythonValues.CodePoints(s).Length + 1;
        var count = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    static IEnumerable<string> Affix(object? value) => value switch
    {
        string s => [s],
        TemplateTuple tuple => tuple.Select(x => x as string ?? throw new ChatTemplateException("TypeError: tuple for startswith must only contain str")),
        _ => throw new ChatTemplateException($"TypeError: startswith first arg must be str or a tuple of str, not {PythonValues.TypeName(value)}"),
    };

    static string? OptionalString(CallArguments arguments, int position, string name) => arguments.Get(position, name) switch
    {
        null => null,
        string s => s,
        var other => throw new ChatTemplateException($"TypeError: {name} must be None or str, not {PythonValues.TypeName(other)}"),
    };

    static string RequiredString(CallArguments arguments, int position, string name) => arguments.Get(position, name) as string
        ?? throw new ChatTemplateException($"TypeError: {name} must be str, not {PythonValues.TypeName(arguments.Get(position, name))}");

    /// <summary>A padding or indent width, bounded so that it cannot allocate past the size limit.</summary>
    public static int Width(object? value)
    {
        var width = Integer(value);
        RenderSizeLimit.Check(width);
        return (int)Math.Max(0, width);
    }

    public static long Integer(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        Undefined u => throw u.Fail(),
        _ => throw new ChatTemplateException($"TypeError: '{PythonValues.TypeName(value)}' object cannot be interpreted as an integer"),
    };
}
