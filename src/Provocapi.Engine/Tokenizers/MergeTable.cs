using System.Numerics;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// BPE merge ranks keyed by the pair of token ids they join, with the id of the joined token: an open-addressing hash
/// table, because looking pairs up is most of the work of merging a word.
/// </summary>
internal sealed class MergeTable
{
    const ulong Empty = ulong.MaxValue;

    readonly ulong[] _keys;
    readonly int[] _ranks;
    readonly int[] _results;
    readonly int _shift;

    MergeTable(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _keys = new ulong[size];
        Array.Fill(_keys, Empty);
        _ranks = new int[size];
        _results = new int[size];
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
        for (var slot = Slot(key); ; slot = (slot + 1) & (_keys.Length - 1))
        {
            var k = _keys[slot];
            if (k == key)
            {
                rank = _ranks[slot];
                result = _results[slot];
                return true;
            }
            if (k == Empty)
            {
                rank = result = -1;
                return false;
            }
        }
    }

    void TryAdd(int left, int right, int rank, int result)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (_keys[slot] != Empty)
        {
            if (_keys[slot] == key) return;
            slot = (slot + 1) & (_keys.Length - 1);
        }
        _keys[slot] = key;
        _ranks[slot] = rank;
        _results[slot] = result;
        Count++;
    }

    static ulong Key(int left, int right) => (ulong)(uint)left << 32 | (uint)right;

    int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
