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

    /// <summary>Floats of scratch <see cref="Group"/> needs: every head's scores and one page of widened keys or values.</summary>
    public static int ScratchLength(Geometry g, int length, int pageSize) => g.GroupSize * length + pageSize * g.HeadDim;

    /// <summary>Attention for the query heads that share kv head <paramref name="kvHead"/>, which read its keys and values
    /// once for all of them; <paramref name="scratch"/> holds <see cref="ScratchLength"/> floats.</summary>
    public static void Group(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int kvHead, Span<float> output, Span<float> scratch) =>
        Simd(query, table, layer, length, g, kvHead, output, scratch);
}
