namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Jinja2's tests (<c>x is defined</c>, <c>x is string</c>, ...), with Python's notions behind them: a bool is a
/// number but not an integer, a dict and a string are sequences, and everything that iterates (Undefined too) is iterable.
/// </summary>
internal static class BuiltinTests
{
    static readonly Dictionary<string, Func<TemplateRenderer, object?, CallArguments, bool>> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (_, v, _) => v is not Undefined,
        ["undefined"] = (_, v, _) => v is Undefined,
        ["none"] = (_, v, _) => v is null,
        ["boolean"] = (_, v, _) => v is bool,
        ["true"] = (_, v, _) => v is true,
        ["false"] = (_, v, _) => v is false,
        ["string"] = (_, v, _) => v is string,
        ["number"] = (_, v, _) => PythonValues.IsNumber(v),
        ["integer"] = (_, v, _) => v is long,
        ["float"] = (_, v, _) => v is double,
        ["mapping"] = (_, v, _) => v is TemplateDict,
        ["sequence"] = (_, v, _) => v is string or IReadOnlyList<object?> or TemplateDict or Undefined,
        ["iterable"] = (_, v, _) => v is string or IEnumerable<object?> or TemplateDict or Undefined,
        ["callable"] = (_, v, _) => v is ITemplateCallable,
        ["odd"] = (_, v, a) => PythonMethods.Integer(v) % 2 != 0,
        ["even"] = (_, v, _) => PythonMethods.Integer(v) % 2 == 0,
        ["divisibleby"] = (_, v, a) => PythonMethods.Integer(v) % PythonMethods.Integer(a.Get(0, "num")) == 0,
        ["eq"] = (_, v, a) => PythonValues.AreEqual(v, a.Get(0, "other")),
        ["ne"] = (_, v, a) => !PythonValues.AreEqual(v, a.Get(0, "other")),
        ["lt"] = (_, v, a) => PythonValues.Compare(v, a.Get(0, "other")) < 0,
        ["le"] = (_, v, a) => PythonValues.Compare(v, a.Get(0, "other")) <= 0,
        ["gt"] = (_, v, a) => PythonValues.Compare(v, a.Get(0, "other")) > 0,
        ["ge"] = (_, v, a) => PythonValues.Compare(v, a.Get(0, "other")) >= 0,
        ["in"] = (_, v, a) => PythonOperators.Contains(a.Get(0, "seq"), v),
        ["sameas"] = (_, v, a) => Same(v, a.Get(0, "other")),
        ["lower"] = (_, v, _) => PythonValues.Str(v) is var s && s == s.ToLowerInvariant(),
        ["upper"] = (_, v, _) => PythonValues.Str(v) is var s && s == s.ToUpperInvariant(),
        ["escaped"] = (_, _, _) => false,
        ["filter"] = (_, v, _) => v is string name && BuiltinFilters.Exists(name),
        ["test"] = (_, v, _) => v is string name && Tests!.ContainsKey(name),
    };

    static BuiltinTests()
    {
        Tests["equalto"] = Tests["=="] = Tests["eq"];
        Tests["!="] = Tests["ne"];
        Tests["lessthan"] = Tests["<"] = Tests["lt"];
        Tests["<="] = Tests["le"];
        Tests["greaterthan"] = Tests[">"] = Tests["gt"];
        Tests[">="] = Tests["ge"];
    }

    public static bool Run(TemplateRenderer renderer, string name, object? value, CallArguments arguments) =>
        Tests.TryGetValue(name, out var test)
            ? test(renderer, Markup.Unwrap(value), arguments)
            : throw new ChatTemplateException($"TemplateRuntimeError: no test named '{name}'");

    /// <summary>Python's <c>is</c>: the same object; None, booleans and small values compare by value.</summary>
    static bool Same(object? a, object? b) => a is null || a is bool || b is null || b is bool
        ? Equals(a, b)
        : ReferenceEquals(a, b) || (a is long x && b is long y && x == y);
}
