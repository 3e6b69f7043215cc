namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Variables visible at one point of a render. Jinja2's rules: a for loop, a macro call and a block set open a new
/// scope, so a <c>set</c> inside them does not change the variable outside (which is why templates use namespaces);
/// an if block does not.
/// </summary>
internal sealed class TemplateScope(TemplateScope? parent)
{
    Dictionary<string, object?>? _variables;

    public TemplateScope? Parent { get; } = parent;

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope != null; scope = scope.Parent)
            if (scope._variables != null && scope._variables.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }

    public void Set(string name, object? value) => (_variables ??= new(StringComparer.Ordinal))[name] = value;
}
