namespace Provocapi.Engine.Tokenizers;

/// <summary>A merge candidate that knows whether it should be merged before another.</summary>
interface IMergeCandidate<T>
{
    bool Precedes(T other);
}

/// <summary>A binary min-heap of merge candidates, reused across words so encoding allocates nothing once warm.</summary>
sealed class MergeHeap<T> where T : struct, IMergeCandidate<T>
{
    T[] _items = new T[128];

    public int Count { get; private set; }

    public void Clear() => Count = 0;

    public void Push(T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!item.Precedes(_items[parent])) break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = item;
    }

    public T Pop()
    {
        var top = _items[0];
        var last = _items[--Count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && _items[child + 1].Precedes(_items[child])) child++;
            if (!_items[child].Precedes(last)) break;
            _items[i] = _items[child];
            i = child;
        }
        _items[i] = last;
        return top;
    }
}
