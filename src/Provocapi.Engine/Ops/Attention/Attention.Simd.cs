using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Attention
{
    /// <summary>
    /// Scores a page at a time (a page's keys sit at a fixed stride), one softmax, then the weighted sum of values,
    /// page by page. Head dimensions that are multiples of 8 run on 256-bit vectors: scores four positions at a time
    /// (four independent FMA chains instead of one chain as long as the head), and the output held in registers while
    /// the values stream past (rather than loaded and stored back for every position); others go through TensorPrimitives.
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
        var vectorized = Avx2.IsSupported && Fma.IsSupported && g.HeadDim % Vector256<float>.Count == 0;

        fixed (float* qp = q)
        fixed (float* sp = scores)
        {
            for (int start = 0, p = 0; start < length; start += pageSize, p++)
            {
                var keys = pool.Key(layer, table.Pages[p], 0) + kvOffset;
                var count = Math.Min(pageSize, length - start);
                if (vectorized) Scores256(qp, keys, stride, count, g.HeadDim, sp + start);
                else
                    for (var s = 0; s < count; s++)
                        scores[start + s] = TensorPrimitives.Dot(q, new ReadOnlySpan<float>(keys + s * stride, g.HeadDim));
            }
        }
        TensorPrimitives.Multiply(scores, g.Scale, scores);
        Softmax.Simd(scores);

        fixed (float* op = o)
        fixed (float* sp = scores)
        {
            if (vectorized)
            {
                var c = 0;
                for (; c + Wide <= g.HeadDim; c += Wide) WeightedValues<Eight>(table, layer, length, kvOffset + c, sp, op + c);
                for (; c < g.HeadDim; c += Vector256<float>.Count) WeightedValues<One>(table, layer, length, kvOffset + c, sp, op + c);
                return;
            }
            o.Clear();
            for (int start = 0, p = 0; start < length; start += pageSize, p++)
            {
                var values = pool.Value(layer, table.Pages[p], 0) + kvOffset;
                var count = Math.Min(pageSize, length - start);
                for (var s = 0; s < count; s++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + s * stride, g.HeadDim), scores[start + s], o, o);
            }
        }
    }

    /// <summary>Output columns per pass over the values: eight vectors of accumulators stay in registers.</summary>
    const int Wide = 8 * 8;

    interface IVectorCount { static abstract int Count { get; } }
    readonly struct One : IVectorCount { public static int Count => 1; }
    readonly struct Eight : IVectorCount { public static int Count => 8; }

    /// <summary>scores[s] = q·key(s) for <paramref name="count"/> keys at <paramref name="stride"/> floats apart.</summary>
    static void Scores256(float* q, float* keys, int stride, int count, int headDim, float* scores)
    {
        var s = 0;
        for (; s + 4 <= count; s += 4)
        {
            float* k0 = keys + s * stride, k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var i = 0; i < headDim; i += Vector256<float>.Count)
            {
                var qi = Avx.LoadVector256(q + i);
                a0 = Fma.MultiplyAdd(Avx.LoadVector256(k0 + i), qi, a0);
                a1 = Fma.MultiplyAdd(Avx.LoadVector256(k1 + i), qi, a1);
                a2 = Fma.MultiplyAdd(Avx.LoadVector256(k2 + i), qi, a2);
                a3 = Fma.MultiplyAdd(Avx.LoadVector256(k3 + i), qi, a3);
            }
            // Lanes 0..3: the four sums of each accumulator's low half, lanes 4..7 of its high half.
            var four = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            Sse.Store(scores + s, four.GetLower() + four.GetUpper());
        }
        for (; s < count; s++)
        {
            var k = keys + s * stride;
            var acc = Vector256<float>.Zero;
            for (var i = 0; i < headDim; i += Vector256<float>.Count)
                acc = Fma.MultiplyAdd(Avx.LoadVector256(k + i), Avx.LoadVector256(q + i), acc);
            scores[s] = Vector256.Sum(acc);
        }
    }

    /// <summary>output[0 .. 8·TCount) = Σ_s weights[s]·value(s)[column ..], the accumulators in registers.</summary>
    static void WeightedValues<TCount>(KvPageTable table, int layer, int length, int column, float* weights, float* output) where TCount : struct, IVectorCount
    {
        var pool = table.Pool;
        var stride = pool.Shape.KvDim;
        Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default, o4 = default, o5 = default, o6 = default, o7 = default;
        for (int start = 0, p = 0; start < length; start += pool.PageSize, p++)
        {
            var v = pool.Value(layer, table.Pages[p], 0) + column;
            var count = Math.Min(pool.PageSize, length - start);
            for (var s = 0; s < count; s++, v += stride)
            {
                var w = Vector256.Create(weights[start + s]);
                o0 = Fma.MultiplyAdd(Avx.LoadVector256(v), w, o0);
                if (TCount.Count > 1)
                {
                    o1 = Fma.MultiplyAdd(Avx.LoadVector256(v + 8), w, o1);
                    o2 = Fma.MultiplyAdd(Avx.LoadVector256(v + 16), w, o2);
                    o3 = Fma.MultiplyAdd(Avx.LoadVector256(v + 24), w, o3);
                    o4 = Fma.MultiplyAdd(Avx.LoadVector256(v + 32), w, o4);
                    o5 = Fma.MultiplyAdd(Avx.LoadVector256(v + 40), w, o5);
                    o6 = Fma.MultiplyAdd(Avx.LoadVector256(v + 48), w, o6);
                    o7 = Fma.MultiplyAdd(Avx.LoadVector256(v + 56), w, o7);
                }
            }
        }
        Avx.Store(output, o0);
        if (TCount.Count == 1) return;
        Avx.Store(output + 8, o1);
        Avx.Store(output + 16, o2);
        Avx.Store(output + 24, o3);
        Avx.Store(output + 32, o4);
        Avx.Store(output + 40, o5);
        Avx.Store(output + 48, o6);
        Avx.Store(output + 56, o7);
    }
}
