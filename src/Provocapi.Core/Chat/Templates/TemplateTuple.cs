using System.Collections;

namespace Provocapi.Core.Chat.Templates;

/// <summary>A Python tuple: a sequence that prints as <c>(a, b)</c>; <c>items()</c> and <c>dictsort</c> yield them.</summary>
internal sealed class TemplateTuple(object?[] items) : IReadOnlyList<object?>
{
    public object? this[int index] => items[index];

    public int Count => items.Length;

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();
}
