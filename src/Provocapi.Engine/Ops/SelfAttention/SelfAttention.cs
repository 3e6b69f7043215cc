namespace Provocapi.Engine.Ops;

/// <summary>
/// Bidirectional scaled dot-product attention of an encoder (Vaswani et al.; BERT): every token of a sequence attends to
/// every token of the same sequence. Queries, keys, values and the output are (length, stride) rows of one sequence, and
/// head h is the columns [h·headDim, (h+1)·headDim). Padding never enters: the caller passes each sequence's own rows.
/// </summary>
public static partial class SelfAttention
{
    /// <summary>Attention for head <paramref name="head"/>; <paramref name="scores"/> needs <paramref name="length"/> floats of scratch.</summary>
    public static void Head(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int length, int stride, int head, int headDim,
        Span<float> output, Span<float> scores) => Simd(q, k, v, length, stride, head, headDim, output, scores);
}
