using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Attention
{
    /// <summary>
    /// Scores a page at a time (a page's keys sit at a fixed stride), one softmax, then the weighted sum of values,
    /// page by page. Head dimensions that are multiples of 8 use 256-bit vectors directly; others go through TensorPrimitives.
    /// </summary>
    public static void Simd(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int head, Span<float> output, Span<float> scores)
    {
        var pool = table.Pool;
        var stride = pool.Shape.KvDim;
        var kvOffset = head / g.GroupSize * g.HeadDim;
        var q = query.Slice(head * g.HeadDim, g.HeadDim);
        var o = output.Slice(head * g.HeadDim, g.HeadDim);
        scores = scores[..length];
        var pageSize = pool.PageSize;
        var vectorized = Vector256.IsHardwareAccelerated && g.HeadDim % Vector256<float>.Count == 0;

        fixed (float* qp = q)
        {
            for (int start = 0, p = 0; start < length; start += pageSize, p++)
            {
                var keys = pool.Key(layer, table.Pages[p], 0) + kvOffset;
                var count = Math.Min(pageSize, length - start);
                for (var s = 0; s < count; s++)
                    scores[start + s] = vectorized ? Dot256(qp, keys + s * stride, g.HeadDim)
                        : TensorPrimitives.Dot(q, new ReadOnlySpan<float>(keys + s * stride, g.HeadDim));
            }
        }
        TensorPrimitives.Multiply(scores, g.Scale, scores);
        Softmax.Simd(scores);

        o.Clear();
        fixed (float* op = o)
        {
            for (int start = 0, p = 0; start < length; start += pageSize, p++)
            {
                var values = pool.Value(layer, table.Pages[p], 0) + kvOffset;
                var count = Math.Min(pageSize, length - start);
                for (var s = 0; s < count; s++)
                {
                    if (vectorized) Axpy256(scores[start + s], values + s * stride, op, g.HeadDim);
                    else TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + s * stride, g.HeadDim), scores[start + s], o, o);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot256(float* a, float* b, int n)
    {
        var acc = Vector256<float>.Zero;
        for (var i = 0; i < n; i += Vector256<float>.Count)
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
        return Vector256.Sum(acc);
    }

    /// <summary>y += a·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Axpy256(float a, float* x, float* y, int n)
    {
        var va = Vector256.Create(a);
        for (var i = 0; i < n; i += Vector256<float>.Count)
            Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
    }
}
