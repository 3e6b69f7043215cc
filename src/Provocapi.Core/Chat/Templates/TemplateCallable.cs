namespace Provocapi.Core.Chat.Templates;

/// <summary>Positional and keyword arguments of a call, a filter or a test (the value filtered is not among them).</summary>
internal sealed class CallArguments(IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named)
{
    public static readonly CallArguments None = new([], []);

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyList<KeyValuePair<string, object?>> Named { get; } = named;

    /// <summary>The argument at a position or by name, as Python binds them; <paramref name="fallback"/> when absent.</summary>
    public object? Get(int position, string name, object? fallback = null)
    {
        if (position >= 0 && position < Positional.Count) return Positional[position];
        foreach (var (key, value) in Named)
            if (key == name) return value;
        return fallback;
    }

    public bool Has(int position, string name) => (position >= 0 && position < Positional.Count) || Named.Any(n => n.Key == name);
}

/// <summary>Something a template can call: a macro, a global function, a bound string or dict method.</summary>
internal interface ITemplateCallable
{
    object? Call(TemplateRenderer renderer, CallArguments arguments);
}

/// <summary>A callable implemented in C#, such as <c>range</c> or a bound method.</summary>
internal sealed class NativeFunction(string name, Func<TemplateRenderer, CallArguments, object?> body) : ITemplateCallable
{
    public string Name { get; } = name;

    public object? Call(TemplateRenderer renderer, CallArguments arguments) => body(renderer, arguments);
}
