namespace Provocapi.Engine.KvCache;

/// <summary>One sequence's view of the paged cache: the pages holding positions 0.. in order, and how many positions are filled.</summary>
public sealed class KvPageTable(KvPagePool pool) : IDisposable
{
    readonly List<int> _pages = [];

    public KvPagePool Pool { get; } = pool;

    /// <summary>Positions whose keys and values are in the cache.</summary>
    public int Length { get; private set; }

    public IReadOnlyList<int> Pages => _pages;

    /// <summary>Makes room for positions up to <paramref name="length"/> − 1, renting pages as needed.</summary>
    public void Reserve(int length)
    {
        if (!TryReserve(length))
            throw new KvCacheFullException($"the KV cache is full ({Pool.PageCount} pages of {Pool.PageSize} positions)");
    }

    /// <summary>Like <see cref="Reserve"/>, but says false (keeping what it rented) when the pool runs dry.</summary>
    public bool TryReserve(int length)
    {
        while (_pages.Count * Pool.PageSize < length)
        {
            if (!Pool.TryRent(out var page)) return false;
            _pages.Add(page);
        }
        return true;
    }

    /// <summary>Appends a page, already held for this table, whose positions are filled (a reused prefix).</summary>
    public void AppendFilled(int page)
    {
        if (Length != _pages.Count * Pool.PageSize) throw new InvalidOperationException("a filled page can only follow full pages");
        _pages.Add(page);
        Length += Pool.PageSize;
    }

    /// <summary>Records that positions up to <paramref name="length"/> − 1 now hold keys and values.</summary>
    public void Advance(int length)
    {
        if (length > _pages.Count * Pool.PageSize) throw new InvalidOperationException("positions beyond the reserved pages");
        Length = Math.Max(Length, length);
    }

    public (int Page, int Slot) Locate(int position) => (_pages[position / Pool.PageSize], position % Pool.PageSize);

    public void Dispose()
    {
        // Last page first, so a prefix's later pages become evictable before the pages they hang from.
        for (var i = _pages.Count - 1; i >= 0; i--) Pool.Release(_pages[i]);
        _pages.Clear();
        Length = 0;
    }
}
