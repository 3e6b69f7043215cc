using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Attention
{
    /// <summary>
    /// Scores a page at a time (a page's keys sit at a fixed stride), one softmax per head, then the weighted sum of
    /// values, page by page. The heads of a group share each page: a cache of halves is widened once per page into
    /// scratch that stays in L1, so the cache is read from memory once per group, not once per head. Head dimensions that
    /// are multiples of 8 run on 256-bit vectors: scores four positions at a time for two heads together (eight
    /// independent FMA chains instead of one as long as the head), and the output held in registers while a page's values
    /// stream past (rather than loaded and stored back for every position); others go through TensorPrimitives.
    /// </summary>
    public static void Simd(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int head, int count, Span<float> output, Span<float> scratch)
    {
        var pool = table.Pool;
        var pageSize = pool.PageSize;
        var headDim = g.HeadDim;
        var kvHead = head / g.GroupSize;
        if (scratch.Length < ScratchLength(g, count, length, pageSize))
            throw new ArgumentException($"attention over {length} positions needs {ScratchLength(g, count, length, pageSize)} floats of scratch, not {scratch.Length}", nameof(scratch));
        var vectorized = Avx2.IsSupported && Fma.IsSupported && headDim % Vector256<float>.Count == 0;
        var q = query.Slice(head * headDim, count * headDim);
        var o = output.Slice(head * headDim, count * headDim);

        fixed (float* qp = q)
        fixed (float* op = o)
        fixed (float* sp = scratch)
        {
            var rows = sp + count * length;
            for (int start = 0, p = 0; start < length; start += pageSize, p++)
            {
                var positions = Math.Min(pageSize, length - start);
                var keys = PageRows(pool, pool.Key(layer, table.Pages[p], 0), kvHead, headDim, positions, rows, vectorized, out var stride);
                var j = 0;
                if (vectorized)
                    for (; j + 2 <= count; j += 2)
                        Scores256Pair(qp + j * headDim, qp + (j + 1) * headDim, keys, stride, positions, headDim, sp + j * length + start, sp + (j + 1) * length + start);
                for (; j < count; j++)
                {
                    float* qj = qp + j * headDim, scores = sp + j * length + start;
                    if (vectorized) Scores256(qj, keys, stride, positions, headDim, scores);
                    else
                        for (var s = 0; s < positions; s++)
                            scores[s] = TensorPrimitives.Dot(new ReadOnlySpan<float>(qj, headDim), new ReadOnlySpan<float>(keys + s * stride, headDim));
                }
            }
            for (var j = 0; j < count; j++)
            {
                var scores = scratch.Slice(j * length, length);
                TensorPrimitives.Multiply(scores, g.Scale, scores);
                Softmax.Simd(scores);
            }

            o.Clear();
            for (int start = 0, p = 0; start < length; start += pageSize, p++)
            {
                var positions = Math.Min(pageSize, length - start);
                var values = PageRows(pool, pool.Value(layer, table.Pages[p], 0), kvHead, headDim, positions, rows, vectorized, out var stride);
                for (var j = 0; j < count; j++)
                {
                    float* oj = op + j * headDim, weights = sp + j * length + start;
                    if (vectorized)
                    {
                        var c = 0;
                        for (; c + Wide <= headDim; c += Wide) WeightedValues<Eight>(values + c, stride, positions, weights, oj + c);
                        for (; c < headDim; c += Vector256<float>.Count) WeightedValues<One>(values + c, stride, positions, weights, oj + c);
                        continue;
                    }
                    var sum = new Span<float>(oj, headDim);
                    for (var s = 0; s < positions; s++)
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + s * stride, headDim), weights[s], sum, sum);
                }
            }
        }
    }

    /// <summary>The first <paramref name="count"/> rows of one kv head on a page, as floats <paramref name="stride"/> apart:
    /// in place for a float cache, widened into <paramref name="rows"/> for a cache of halves (with AVX2 by
    /// <see cref="Float16.ToSingle(ushort*)"/>, which ran at 0.13 ns a value against TensorPrimitives.ConvertToSingle's
    /// 0.28-0.34 in a scratch measurement).</summary>
    static float* PageRows(KvPagePool pool, byte* page, int kvHead, int headDim, int count, float* rows, bool vectorized, out int stride)
    {
        var shape = pool.Shape;
        if (shape.Type == KvCacheType.F32)
        {
            stride = shape.KvDim;
            return (float*)page + kvHead * headDim;
        }
        var halves = (ushort*)page + kvHead * headDim;
        for (var s = 0; s < count; s++, halves += shape.KvDim)
        {
            var row = rows + s * headDim;
            if (!vectorized) KvRows.ReadHalves(halves, new Span<float>(row, headDim));
            else
                for (var i = 0; i < headDim; i += Vector256<float>.Count)
                    Avx.Store(row + i, Float16.ToSingle(halves + i));
        }
        stride = headDim;
        return rows;
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

    /// <summary><see cref="Scores256"/> for two heads at once, each head's sums bit for bit the same: every key vector
    /// loaded serves both, and the eight accumulators are eight independent FMA chains, where one head's four leave the
    /// FMA units waiting on their latency.</summary>
    static void Scores256Pair(float* qa, float* qb, float* keys, int stride, int count, int headDim, float* scoresA, float* scoresB)
    {
        var s = 0;
        for (; s + 4 <= count; s += 4)
        {
            float* k0 = keys + s * stride, k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
            for (var i = 0; i < headDim; i += Vector256<float>.Count)
            {
                var qai = Avx.LoadVector256(qa + i);
                var qbi = Avx.LoadVector256(qb + i);
                var k = Avx.LoadVector256(k0 + i);
                a0 = Fma.MultiplyAdd(k, qai, a0);
                b0 = Fma.MultiplyAdd(k, qbi, b0);
                k = Avx.LoadVector256(k1 + i);
                a1 = Fma.MultiplyAdd(k, qai, a1);
                b1 = Fma.MultiplyAdd(k, qbi, b1);
                k = Avx.LoadVector256(k2 + i);
                a2 = Fma.MultiplyAdd(k, qai, a2);
                b2 = Fma.MultiplyAdd(k, qbi, b2);
                k = Avx.LoadVector256(k3 + i);
                a3 = Fma.MultiplyAdd(k, qai, a3);
                b3 = Fma.MultiplyAdd(k, qbi, b3);
            }
            var fourA = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            Sse.Store(scoresA + s, fourA.GetLower() + fourA.GetUpper());
            var fourB = Avx.HorizontalAdd(Avx.HorizontalAdd(b0, b1), Avx.HorizontalAdd(b2, b3));
            Sse.Store(scoresB + s, fourB.GetLower() + fourB.GetUpper());
        }
        if (s == count) return;
        // The last one to three keys, as Scores256 takes them.
        Scores256(qa, keys + s * stride, stride, count - s, headDim, scoresA + s);
        Scores256(qb, keys + s * stride, stride, count - s, headDim, scoresB + s);
    }

    /// <summary>output[0 .. 8·TCount) += Σ_s weights[s]·values(s)[0 .. 8·TCount) over one page's <paramref name="count"/>
    /// rows, the accumulators in registers.</summary>
    static void WeightedValues<TCount>(float* values, int stride, int count, float* weights, float* output) where TCount : struct, IVectorCount
    {
        var o0 = Avx.LoadVector256(output);
        Vector256<float> o1 = default, o2 = default, o3 = default, o4 = default, o5 = default, o6 = default, o7 = default;
        if (TCount.Count > 1)
        {
            o1 = Avx.LoadVector256(output + 8);
            o2 = Avx.LoadVector256(output + 16);
            o3 = Avx.LoadVector256(output + 24);
            o4 = Avx.LoadVector256(output + 32);
            o5 = Avx.LoadVector256(output + 40);
            o6 = Avx.LoadVector256(output + 48);
            o7 = Avx.LoadVector256(output + 56);
        }
        var v = values;
        for (var s = 0; s < count; s++, v += stride)
        {
            var w = Vector256.Create(weights[s]);
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
