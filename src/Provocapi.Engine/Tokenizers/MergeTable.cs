using System.Numerics;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// BPE merge ranks keyed by the pair of token ids they join, with the id of the joined token: an open-addressing hash
/// table with key, rank and result side by side, because looking pairs up is most of the work of merging a word and a
/// lookup should cost one cache miss.
/// </summary>
internal sealed class MergeTable
{
    const ulong Empty = ulong.MaxValue;

    readonly Slot[] _slots;
    readonly int _shift;

    MergeTable(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _slots = new Slot[size];
        Array.Fill(_slots, new Slot(Empty, 0, 0));
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    public int Count { get; private set; }

    /// <summary>
    /// Builds the table from merges in rank order, each a pair of token texts. A merge whose parts or result are not in
    /// the vocabulary can never apply to id sequences and is left out; a repeated pair keeps its first (best) rank.
    /// </summary>
    public static MergeTable Build(IReadOnlyList<(string Left, string Right)> merges, Vocabulary vocabulary)
    {
        var table = new MergeTable(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            var merged = vocabulary.IdOf(string.Concat(left, right));
            if (vocabulary.IdOf(left) is int l && vocabulary.IdOf(right) is int r && merged is int m)
                table.TryAdd(l, r, rank, m);
        }
        return table;
    }

    /// <summary>Splits a GGUF or tokenizer.json merge line "left right" at its separating space (the first after position 0, as llama.cpp does).</summary>
    public static bool TrySplitLine(string line, out (string Left, string Right) merge)
    {
        var space = line.IndexOf(' ', 1);
        if (space < 0)
        {
            merge = default;
            return false;
        }
        merge = (line[..space], line[(space + 1)..]);
        return true;
    }

    public bool TryGet(int left, int right, out int rank, out int result)
    {
        var key = Key(left, right);
        var mask = _slots.Length - 1;
        for (var index = Home(key); ; index = (index + 1) & mask)
        {
            ref readonly var slot = ref _slots[index];
            if (slot.Key == key)
            {
                rank = slot.Rank;
                result = slot.Result;
                return true;
            }
            if (slot.Key == Empty)
            {
                rank = result = -1;
                return false;
            }
        }
    }

    void TryAdd(int left, int right, int rank, int result)
    {
        var key = Key(left, right);
        var mask = _slots.Length - 1;
        var index = Home(key);
        while (_slots[index].Key != Empty)
        {
            if (_slots[index].Key == key) return;
            index = (index + 1) & mask;
        }
        _slots[index] = new Slot(key, rank, result);
        Count++;
    }

    static ulong Key(int left, int right) => (ulong)(uint)left << 32 | (uint)right;

    int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    readonly record struct Slot(ulong Key, int Rank, int Result);
}
