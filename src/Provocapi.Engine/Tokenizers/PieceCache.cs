using System.Collections.Concurrent;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Remembers the ids of recently encoded pre-tokens (words repeat a lot in text), safe to share between threads. When it
/// fills up it starts over, which keeps it bounded without bookkeeping on the hot path.
/// </summary>
internal sealed class PieceCache
{
    const int Capacity = 1 << 16;
    const int MaxKeyLength = 48;

    readonly ConcurrentDictionary<string, int[]> _entries = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    int _count;

    public PieceCache() => _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();

    public bool TryGet(ReadOnlySpan<char> piece, out int[] ids) => _lookup.TryGetValue(piece, out ids!);

    public void Add(ReadOnlySpan<char> piece, int[] ids)
    {
        if (piece.Length > MaxKeyLength) return;
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _count, 0);
        }
        _lookup.TryAdd(piece, ids);
    }
}
