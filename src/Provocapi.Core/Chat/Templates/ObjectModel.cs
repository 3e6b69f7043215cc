namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Attribute and item access as Jinja2's sandbox does it. <c>x.name</c> looks for an attribute (a method such as
/// <c>dict.items</c>) and then an item; <c>x[key]</c> the other way round. What is missing is Undefined; a method that
/// would change a list or dict is refused (calling it raises a SecurityError), as in the ImmutableSandboxedEnvironment.
/// </summary>
internal static class ObjectModel
{
    public static object? GetAttribute(object? owner, string name)
    {
        owner = Markup.Unwrap(owner);
        switch (owner)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case TemplateNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(owner, name);
            case LoopContext loop:
                return loop.Attribute(name);
        }
        var method = PythonMethods.Bind(owner, name);
        if (method != null) return method;
        if (owner is TemplateDict dict && dict.TryGetValue(name, out var value)) return value;
        return Undefined.Attribute(owner, name);
    }

    public static object? GetItem(object? owner, object? key)
    {
        owner = Markup.Unwrap(owner);
        key = Markup.Unwrap(key);
        switch (owner)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case TemplateDict dict:
                if (dict.TryGetValue(key, out var value)) return value;
                break;
            case IReadOnlyList<object?> list when key is long or bool:
                var index = Index(key, list.Count);
                if (index >= 0) return list[index];
                break;
            case string s when key is long or bool:
                var characters = PythonValues.CodePoints(s);
                var position = Index(key, characters.Length);
                if (position >= 0) return characters[position];
                break;
        }
        return key is string name && owner is not TemplateDict ? GetAttribute(owner, name)
            : key is string methodName && PythonMethods.Bind(owner, methodName) is { } method ? method
            : Undefined.Attribute(owner, key);
    }

    static int Index(object key, int count)
    {
        var index = key is bool b ? (b ? 1 : 0) : (long)key;
        if (index < 0) index += count;
        return index >= 0 && index < count ? (int)index : -1;
    }

    /// <summary>Python's <c>x[start:stop:step]</c> on a string, list or tuple; anything else gives Undefined.</summary>
    public static object? Slice(object? owner, object? start, object? stop, object? step)
    {
        owner = Markup.Unwrap(owner);
        if (owner is Undefined undefined) throw undefined.Fail();
        var stride = step == null ? 1 : AsIndex(step);
        if (stride == 0) throw new ChatTemplateException("ValueError: slice step cannot be zero");
        switch (owner)
        {
            case string s:
                var characters = PythonValues.CodePoints(s);
                return string.Concat(Indices(characters.Length, start, stop, stride).Select(i => characters[i]));
            case TemplateTuple tuple:
                return new TemplateTuple([.. Indices(tuple.Count, start, stop, stride).Select(i => tuple[i])]);
            case IReadOnlyList<object?> list:
                return new List<object?>(Indices(list.Count, start, stop, stride).Select(i => list[i]));
            default:
                return Undefined.Attribute(owner, "slice");
        }
    }

    static long AsIndex(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        Undefined u => throw u.Fail(),
        _ => throw new ChatTemplateException("TypeError: slice indices must be integers or None"),
    };

    /// <summary>The positions a slice visits, clamped as CPython's PySlice_AdjustIndices does.</summary>
    static IEnumerable<int> Indices(int length, object? start, object? stop, long step)
    {
        long Adjust(object? bound, long whenNone)
        {
            if (bound == null) return whenNone;
            var value = AsIndex(bound);
            if (value < 0) value = Math.Max(value + length, step < 0 ? -1 : 0);
            else if (value >= length) value = step < 0 ? length - 1 : length;
            return value;
        }
        var first = Adjust(start, step < 0 ? length - 1 : 0);
        var last = Adjust(stop, step < 0 ? -1 : length);
        for (var i = first; step > 0 ? i < last : i > last; i += step) yield return (int)i;
    }
}
