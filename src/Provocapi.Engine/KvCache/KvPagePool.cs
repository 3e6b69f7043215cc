using System.Runtime.InteropServices;

namespace Provocapi.Engine.KvCache;

/// <summary>
/// The paged key/value store (vLLM's PagedAttention layout): fixed-size pages of <see cref="PageSize"/> positions,
/// laid out per layer as [page][slot][kvHead·headDim], in native memory sized once from a budget.
/// Sequences own pages through a <see cref="KvPageTable"/>; free pages are handed out and taken back here.
/// </summary>
public sealed unsafe class KvPagePool : IDisposable
{
    readonly float*[] _keys;
    readonly float*[] _values;
    readonly Stack<int> _free;
    readonly Lock _lock = new();

    public KvCacheShape Shape { get; }
    public int PageSize { get; }
    public int PageCount { get; }

    public KvPagePool(KvCacheShape shape, int pageSize, int pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageCount, 1);
        Shape = shape;
        PageSize = pageSize;
        PageCount = pageCount;
        var floats = (nuint)pageCount * (nuint)pageSize * (nuint)shape.KvDim;
        _keys = new float*[shape.Layers];
        _values = new float*[shape.Layers];
        for (var l = 0; l < shape.Layers; l++)
        {
            _keys[l] = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
            _values[l] = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
        }
        _free = new Stack<int>(Enumerable.Range(0, pageCount).Reverse());
    }

    /// <summary>A pool of as many pages as fit in <paramref name="budgetBytes"/> (at least one).</summary>
    public static KvPagePool WithBudget(KvCacheShape shape, int pageSize, long budgetBytes) =>
        new(shape, pageSize, (int)Math.Clamp(budgetBytes / (shape.BytesPerPosition * pageSize), 1, int.MaxValue));

    public int FreePages
    {
        get { lock (_lock) return _free.Count; }
    }

    public bool TryRent(out int page)
    {
        lock (_lock) return _free.TryPop(out page);
    }

    public void Return(int page)
    {
        lock (_lock) _free.Push(page);
    }

    /// <summary>The key vector of one slot of one page of one layer.</summary>
    public float* Key(int layer, int page, int slot) => _keys[layer] + ((long)page * PageSize + slot) * Shape.KvDim;

    public float* Value(int layer, int page, int slot) => _values[layer] + ((long)page * PageSize + slot) * Shape.KvDim;

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
