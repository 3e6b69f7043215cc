using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// A macro defined with <c>{% macro %}</c> (or the body of a call block, passed as <c>caller</c>). Calling it renders
/// its body in a new scope over the scope it was defined in; missing arguments are Undefined, extra ones land in
/// <c>varargs</c> and <c>kwargs</c>.
/// </summary>
internal sealed class TemplateMacro(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Statement> body, TemplateScope closure)
    : ITemplateCallable
{
    public string Name { get; } = name;

    public object? Call(TemplateRenderer renderer, CallArguments arguments)
    {
        var scope = new TemplateScope(closure);
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            object? value;
            if (i < arguments.Positional.Count) value = arguments.Positional[i];
            else if (TryGetNamed(arguments, parameter.Name, out var named)) value = named;
            else if (parameter.Default != null) value = renderer.Evaluate(parameter.Default, scope);
            else value = new Undefined($"parameter '{parameter.Name}' was not provided");
            scope.Set(parameter.Name, value);
        }
        scope.Set("varargs", new TemplateTuple([.. arguments.Positional.Skip(parameters.Count)]));
        var kwargs = new TemplateDict();
        foreach (var (key, value) in arguments.Named)
        {
            if (key == "caller") scope.Set("caller", value);
            else if (!parameters.Any(p => p.Name == key)) kwargs.Set(key, value);
        }
        scope.Set("kwargs", kwargs);
        var output = new StringBuilder();
        renderer.ExecuteCall(body, scope, output);
        return output.ToString();
    }

    static bool TryGetNamed(CallArguments arguments, string name, out object? value)
    {
        foreach (var (key, v) in arguments.Named)
        {
            if (key != name) continue;
            value = v;
            return true;
        }
        value = null;
        return false;
    }
}
