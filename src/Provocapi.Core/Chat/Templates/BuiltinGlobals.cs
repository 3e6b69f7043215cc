namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Functions every template can call: Jinja2's <c>range</c>, <c>namespace</c> and <c>dict</c>, and the two Hugging
/// Face adds, <c>raise_exception(message)</c> and <c>strftime_now(format)</c>. Variables passed to the render shadow them.
/// </summary>
internal static class BuiltinGlobals
{
    /// <summary>Jinja2's sandbox caps range() at this many items.</summary>
    const int MaxRange = 100_000;

    static readonly Dictionary<string, NativeFunction> Functions = new NativeFunction[]
    {
        new("range", (_, a) => Range(a)),
        new("namespace", (_, a) => Namespace(a)),
        new("dict", (_, a) => Dict(a)),
        new("raise_exception", (_, a) => throw new ChatTemplateException("TemplateError: " + PythonValues.Str(a.Get(0, "message")))),
        new("strftime_now", (r, a) => PythonFormatting.Strftime(r.Options.Clock.GetLocalNow().DateTime, PythonValues.Str(a.Get(0, "format")))),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out object? function)
    {
        var found = Functions.TryGetValue(name, out var native);
        function = native;
        return found;
    }

    static List<object?> Range(CallArguments arguments)
    {
        var values = arguments.Positional.Select(PythonMethods.Integer).ToArray();
        var (start, stop, step) = values.Length switch
        {
            1 => (0L, values[0], 1L),
            2 => (values[0], values[1], 1L),
            3 => (values[0], values[1], values[2]),
            _ => throw new ChatTemplateException($"TypeError: range expected 1 to 3 arguments, got {values.Length}"),
        };
        if (step == 0) throw new ChatTemplateException("ValueError: range() arg 3 must not be zero");
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > MaxRange) throw new ChatTemplateException($"OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var items = new List<object?>((int)Math.Max(0, count));
        for (var i = 0L; i < count; i++) items.Add(start + i * step);
        return items;
    }

    static TemplateNamespace Namespace(CallArguments arguments)
    {
        var ns = new TemplateNamespace();
        foreach (var initial in arguments.Positional)
        {
            if (initial is not TemplateDict dict) throw new ChatTemplateException("TypeError: namespace() takes a mapping as its positional argument");
            foreach (var (key, value) in dict) ns.Attributes[PythonValues.Str(key)] = value;
        }
        foreach (var (key, value) in arguments.Named) ns.Attributes[key] = value;
        return ns;
    }

    static TemplateDict Dict(CallArguments arguments)
    {
        var dict = new TemplateDict();
        foreach (var initial in arguments.Positional)
            if (initial is TemplateDict source)
                foreach (var (key, value) in source) dict.Set(key, value);
        foreach (var (key, value) in arguments.Named) dict.Set(key, value);
        return dict;
    }
}
