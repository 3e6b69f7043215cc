using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Ops;

/// <summary>
/// Causal grouped-query attention of one query token over a sequence's paged cache (Vaswani et al.; GQA as
/// Ainslie et al.): query head h reads kv head h / (heads / kvHeads); keys at positions 0 .. <c>length</c> − 1.
/// </summary>
public static unsafe partial class Attention
{
    public readonly record struct Geometry(int Heads, int KvHeads, int HeadDim)
    {
        public int GroupSize => Heads / KvHeads;
        public float Scale => 1f / MathF.Sqrt(HeadDim);
    }

    /// <summary>Floats of scratch <see cref="Heads"/> needs for <paramref name="count"/> heads: each one's scores, and one
    /// page of widened keys or values.</summary>
    public static int ScratchLength(Geometry g, int count, int length, int pageSize) => count * length + pageSize * g.HeadDim;

    /// <summary>Attention for query heads [<paramref name="head"/>, <paramref name="head"/> + <paramref name="count"/>),
    /// which must share one kv head: they read its keys and values once for all of them. Each head's result is the same
    /// whichever heads it runs with. <paramref name="scratch"/> holds <see cref="ScratchLength"/> floats.</summary>
    public static void Heads(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int head, int count, Span<float> output, Span<float> scratch)
    {
        if (count < 1 || head < 0 || head + count > g.Heads || head / g.GroupSize != (head + count - 1) / g.GroupSize)
            throw new ArgumentOutOfRangeException(nameof(count), $"query heads {head}..{head + count - 1} do not share one kv head (groups of {g.GroupSize})");
        Simd(query, table, layer, length, g, head, count, output, scratch);
    }
}
