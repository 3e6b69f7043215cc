namespace Provocapi.Engine.KvCache;

/// <summary>
/// Which full pages hold which token prefixes (vLLM's automatic prefix caching): a page is keyed by a hash chained
/// over every token from the start of the sequence to the page's end. A hit must also match the page's own tokens
/// and the very page its parent was found in, so by induction from the first page a hit holds exactly the tokens
/// asked for, whatever the hash does (it is not collision-resistant, and need not be). A first page's parent key is
/// its sequence's root: 0 for the base model, or a loaded LoRA adapter's identity, so that keys and values computed
/// under one adapter are never reused under another or under none. Pages nobody holds stay
/// indexed until evicted, least recently used first. Not thread-safe: <see cref="KvPagePool"/> calls it under its lock.
/// </summary>
public sealed class PrefixPageIndex
{
    /// <summary><paramref name="ParentPage"/> is −1 for a sequence's first page, whose <paramref name="ParentKey"/> is its root.</summary>
    sealed record Entry(ulong Key, ulong ParentKey, int ParentPage, int[] Tokens);

    readonly Dictionary<ulong, int> _pageByKey = [];
    readonly Dictionary<int, Entry> _entryByPage = [];
    readonly LinkedList<int> _evictable = new();
    readonly Dictionary<int, LinkedListNode<int>> _evictableNodes = [];

    /// <summary>Indexed pages that no sequence holds: free to reuse or to evict.</summary>
    public int EvictableCount => _evictable.Count;
    public int IndexedCount => _entryByPage.Count;

    /// <summary>The key of a page holding <paramref name="tokens"/> after the prefix keyed <paramref name="parentKey"/> (FNV-1a over the parent key and the tokens).</summary>
    public static ulong Key(ulong parentKey, ReadOnlySpan<int> tokens)
    {
        var hash = 14695981039346656037UL ^ parentKey;
        hash *= 1099511628211UL;
        foreach (var token in tokens)
        {
            hash ^= (uint)token;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    public bool TryFind(ulong key, ulong parentKey, int parentPage, ReadOnlySpan<int> tokens, out int page)
    {
        if (_pageByKey.TryGetValue(key, out page) && _entryByPage[page] is var entry
            && entry.ParentPage == parentPage && entry.ParentKey == parentKey && tokens.SequenceEqual(entry.Tokens)) return true;
        page = -1;
        return false;
    }

    /// <summary>Indexes a page that was just filled; a prefix already indexed keeps its first page.</summary>
    public bool TryAdd(int page, ulong key, ulong parentKey, int parentPage, ReadOnlySpan<int> tokens)
    {
        if (_pageByKey.ContainsKey(key) || _entryByPage.ContainsKey(page)) return false;
        _pageByKey[key] = page;
        _entryByPage[page] = new Entry(key, parentKey, parentPage, tokens.ToArray());
        return true;
    }

    public bool Contains(int page) => _entryByPage.ContainsKey(page);

    /// <summary>A held page was let go by its last holder: it stays indexed, most recently used.</summary>
    public void MarkEvictable(int page) => _evictableNodes[page] = _evictable.AddLast(page);

    /// <summary>A page is held again.</summary>
    public void MarkHeld(int page)
    {
        if (_evictableNodes.Remove(page, out var node)) _evictable.Remove(node);
    }

    /// <summary>Takes the least recently used unheld page out of the index for reuse.</summary>
    public bool TryEvict(out int page)
    {
        if (_evictable.First is not { } oldest)
        {
            page = -1;
            return false;
        }
        page = oldest.Value;
        _evictable.RemoveFirst();
        _evictableNodes.Remove(page);
        _pageByKey.Remove(_entryByPage[page].Key);
        _entryByPage.Remove(page);
        return true;
    }
}
