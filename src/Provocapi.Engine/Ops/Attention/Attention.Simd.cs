using System.Numerics.Tensors;
using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Attention
{
    /// <summary>Scores a page at a time (keys of a page are contiguous), one softmax, then a weighted sum of values.</summary>
    public static void Simd(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int head, Span<float> output, Span<float> scores)
    {
        var pool = table.Pool;
        var kvOffset = head / g.GroupSize * g.HeadDim;
        var q = query.Slice(head * g.HeadDim, g.HeadDim);
        scores = scores[..length];
        for (var t = 0; t < length; t++)
        {
            var (page, slot) = table.Locate(t);
            scores[t] = TensorPrimitives.Dot(q, new ReadOnlySpan<float>(pool.Key(layer, page, slot) + kvOffset, g.HeadDim));
        }
        TensorPrimitives.Multiply(scores, g.Scale, scores);
        Softmax.Simd(scores);
        var o = output.Slice(head * g.HeadDim, g.HeadDim);
        o.Clear();
        for (var t = 0; t < length; t++)
        {
            var (page, slot) = table.Locate(t);
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(pool.Value(layer, page, slot) + kvOffset, g.HeadDim), scores[t], o, o);
        }
    }
}
