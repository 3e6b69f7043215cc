namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Jinja2's default Undefined: a missing variable, key or attribute. It prints as nothing, is false, iterates as
/// empty and has length 0; any other use (an attribute, an item, a call, arithmetic, ordering) raises. The sandbox
/// returns one for a refused attribute such as <c>list.append</c>, so that calling it raises a SecurityError.
/// </summary>
internal sealed class Undefined(string message, string kind = "UndefinedError")
{
    public string Message { get; } = message;

    public ChatTemplateException Fail() => new($"{kind}: {Message}");

    public static Undefined Name(string name) => new($"'{name}' is undefined");

    public static Undefined Attribute(object? owner, object? name) => name is string s
        ? new($"'{PythonValues.TypeName(owner)} object' has no attribute '{s}'")
        : new($"{PythonValues.TypeName(owner)} object has no element {PythonValues.Repr(name)}");

    public static Undefined Unsafe(object? owner, string name) =>
        new($"access to attribute '{name}' of '{PythonValues.TypeName(owner)}' object is unsafe.", "SecurityError");
}
