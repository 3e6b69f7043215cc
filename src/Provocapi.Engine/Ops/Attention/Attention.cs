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

    /// <summary>Attention for query head <paramref name="head"/>; <paramref name="scores"/> needs <paramref name="length"/> floats of scratch.</summary>
    public static void Head(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int head, Span<float> output, Span<float> scores) =>
        Simd(query, table, layer, length, g, head, output, scores);
}
