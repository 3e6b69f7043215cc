using System.Collections;

namespace Provocapi.Core.Chat.Templates;

/// <summary>A Python dict: keys keep insertion order and compare as Python does (1 == 1.0 == True).</summary>
internal sealed class TemplateDict : IEnumerable<KeyValuePair<object, object?>>
{
    readonly OrderedDictionary<object, object?> _items;

    public TemplateDict() => _items = new(PythonKeyComparer.Instance);

    public TemplateDict(int capacity) => _items = new(capacity, PythonKeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    public bool TryGetValue(object? key, out object? value)
    {
        value = null;
        return key != null && _items.TryGetValue(key, out value);
    }

    public bool ContainsKey(object? key) => key != null && _items.ContainsKey(key);

    public void Set(object? key, object? value) =>
        _items[key ?? throw new ChatTemplateException("TypeError: None is not supported as a dict key")] = value;

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    sealed class PythonKeyComparer : IEqualityComparer<object>
    {
        public static readonly PythonKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => PythonValues.AreEqual(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            string s => s.GetHashCode(StringComparison.Ordinal),
            bool b => b ? 1 : 0,
            long l => l.GetHashCode(),
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
            double d => d.GetHashCode(),
            TemplateTuple t => t.Aggregate(17, (h, item) => h * 31 + (item == null ? 0 : GetHashCode(item))),
            _ => throw new ChatTemplateException($"TypeError: unhashable type: '{PythonValues.TypeName(obj)}'"),
        };
    }
}
