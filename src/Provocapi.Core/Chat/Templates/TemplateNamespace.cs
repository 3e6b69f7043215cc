namespace Provocapi.Core.Chat.Templates;

/// <summary>Jinja2's <c>namespace()</c>: the one object a template may change, so that a loop can carry state out.</summary>
internal sealed class TemplateNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
