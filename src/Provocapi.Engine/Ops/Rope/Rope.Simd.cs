using System.Numerics.Tensors;

namespace Provocapi.Engine.Ops;

public static partial class Rope
{
    /// <summary>One head with precomputed cos/sin; the half-split layout vectorizes over contiguous halves.</summary>
    public static void Simd(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, RopeLayout layout)
    {
        var pairs = cos.Length;
        if (layout == RopeLayout.HalfSplit)
        {
            Span<float> first = stackalloc float[pairs];
            var lo = head[..pairs];
            var hi = head.Slice(pairs, pairs);
            lo.CopyTo(first);
            // lo' = lo·cos − hi·sin ; hi' = first·sin + hi·cos
            TensorPrimitives.Multiply(lo, cos, lo);
            Span<float> t = stackalloc float[pairs];
            TensorPrimitives.Multiply(hi, sin, t);
            TensorPrimitives.Subtract(lo, t, lo);
            TensorPrimitives.Multiply(hi, cos, hi);
            TensorPrimitives.MultiplyAdd(first, sin, hi, hi);
            return;
        }
        for (var i = 0; i < pairs; i++)
        {
            float x0 = head[2 * i], x1 = head[2 * i + 1];
            head[2 * i] = x0 * cos[i] - x1 * sin[i];
            head[2 * i + 1] = x0 * sin[i] + x1 * cos[i];
        }
    }
}
