using System.Runtime.InteropServices;

namespace Provocapi.Engine.KvCache;

/// <summary>
/// The paged key/value store (vLLM's PagedAttention layout): fixed-size pages of <see cref="PageSize"/> positions,
/// laid out per layer as [page][slot][kvHead·headDim] in the shape's element type, in native memory sized once from a budget.
/// Sequences hold pages through a <see cref="KvPageTable"/>. Pages are reference-counted, so sequences that share
/// a prompt prefix share its full pages (see <see cref="PrefixPageIndex"/>); a page nobody holds is free, or, if
/// it holds an indexed prefix, kept until its memory is needed.
/// </summary>
public sealed unsafe class KvPagePool : IDisposable
{
    readonly byte*[] _keys;
    readonly byte*[] _values;
    readonly Stack<int> _free;
    readonly int[] _holders;
    readonly PrefixPageIndex _prefixes = new();
    readonly Lock _lock = new();

    public KvCacheShape Shape { get; }
    public int PageSize { get; }
    public int PageCount { get; }

    public KvPagePool(KvCacheShape shape, int pageSize, int pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageCount, 1);
        if (!Enum.IsDefined(shape.Type)) throw new ArgumentOutOfRangeException(nameof(shape), $"no KV cache element type {shape.Type}");
        Shape = shape;
        PageSize = pageSize;
        PageCount = pageCount;
        var bytes = (nuint)pageCount * (nuint)pageSize * (nuint)shape.RowBytes;
        _keys = new byte*[shape.Layers];
        _values = new byte*[shape.Layers];
        for (var l = 0; l < shape.Layers; l++)
        {
            _keys[l] = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
            _values[l] = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        }
        _free = new Stack<int>(Enumerable.Range(0, pageCount).Reverse());
        _holders = new int[pageCount];
    }

    /// <summary>A pool of as many pages as fit in <paramref name="budgetBytes"/> (at least one).</summary>
    public static KvPagePool WithBudget(KvCacheShape shape, int pageSize, long budgetBytes) =>
        new(shape, pageSize, (int)Math.Clamp(budgetBytes / (shape.BytesPerPosition * pageSize), 1, int.MaxValue));

    /// <summary>Pages a sequence could rent now: free ones and indexed prefixes nobody holds.</summary>
    public int FreePages
    {
        get { lock (_lock) return _free.Count + _prefixes.EvictableCount; }
    }

    /// <summary>Indexed prefix pages, held or not.</summary>
    public int CachedPages
    {
        get { lock (_lock) return _prefixes.IndexedCount; }
    }

    /// <summary>Rents a page for one holder: a free one, else the least recently used unheld prefix page.</summary>
    public bool TryRent(out int page)
    {
        lock (_lock)
        {
            if (!_free.TryPop(out page) && !_prefixes.TryEvict(out page)) return false;
            _holders[page] = 1;
            return true;
        }
    }

    /// <summary>One holder lets go of a page; the last one frees it (or leaves it indexed, evictable).</summary>
    public void Release(int page)
    {
        lock (_lock)
        {
            if (_holders[page] <= 0) throw new InvalidOperationException($"page {page} is not held");
            if (--_holders[page] > 0) return;
            if (_prefixes.Contains(page)) _prefixes.MarkEvictable(page);
            else _free.Push(page);
        }
    }

    /// <summary>Holds the indexed page for <paramref name="tokens"/> following <paramref name="parentPage"/> (−1 at the start, where <paramref name="parentKey"/> is the sequence's root), if there is one.</summary>
    public bool TryHoldPrefix(ulong key, ulong parentKey, int parentPage, ReadOnlySpan<int> tokens, out int page)
    {
        lock (_lock)
        {
            if (!_prefixes.TryFind(key, parentKey, parentPage, tokens, out page)) return false;
            if (_holders[page]++ == 0) _prefixes.MarkHeld(page);
            return true;
        }
    }

    /// <summary>Indexes a held, now full page, following <paramref name="parentPage"/> (−1 at the start), as the prefix keyed <paramref name="key"/>.</summary>
    public void IndexPrefix(int page, ulong key, ulong parentKey, int parentPage, ReadOnlySpan<int> tokens)
    {
        lock (_lock)
        {
            if (_holders[page] <= 0) throw new InvalidOperationException($"page {page} is not held");
            _prefixes.TryAdd(page, key, parentKey, parentPage, tokens);
        }
    }

    /// <summary>The key row of one slot of one page of one layer, <see cref="KvCacheShape.RowBytes"/> bytes; the slots of
    /// a page follow each other.</summary>
    public byte* Key(int layer, int page, int slot) => _keys[layer] + ((long)page * PageSize + slot) * Shape.RowBytes;

    public byte* Value(int layer, int page, int slot) => _values[layer] + ((long)page * PageSize + slot) * Shape.RowBytes;

    /// <summary>Stores one position's key and value (<see cref="KvCacheShape.KvDim"/> floats each) in the element type.</summary>
    public void Store(int layer, int page, int slot, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        if (key.Length != Shape.KvDim || value.Length != Shape.KvDim)
            throw new ArgumentException($"a cached key and value hold {Shape.KvDim} floats each, not {key.Length} and {value.Length}");
        KvRows.Write(Shape.Type, key, Key(layer, page, slot));
        KvRows.Write(Shape.Type, value, Value(layer, page, slot));
    }

    public void Dispose()
    {
        for (var l = 0; l < _keys.Length; l++)
        {
            if (_keys[l] == null) continue;
            NativeMemory.AlignedFree(_keys[l]);
            NativeMemory.AlignedFree(_values[l]);
            _keys[l] = null;
            _values[l] = null;
        }
    }
}
