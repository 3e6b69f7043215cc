using System.Collections;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// A Python generator, as Jinja2's <c>map</c>, <c>select</c>, <c>items</c> and similar filters return: iterable once,
/// always true, with no length, and not JSON-serialisable (templates that pass one to <c>tojson</c> fail in Jinja2 too).
/// </summary>
internal sealed class TemplateGenerator(IEnumerable<object?> source, string typeName = "generator") : IEnumerable<object?>
{
    IEnumerator<object?>? _shared;

    public string TypeName { get; } = typeName;

    public IEnumerator<object?> GetEnumerator()
    {
        _shared ??= source.GetEnumerator();
        while (_shared.MoveNext()) yield return _shared.Current;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
