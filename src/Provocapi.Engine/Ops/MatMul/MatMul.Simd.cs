using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// The loop machinery shared by all AVX2 kernels. A kernel computes the dot products of one weight row with one to
/// four consecutive tokens; the token count is a type parameter, so the JIT compiles one specialized body per count
/// with the unused accumulators removed, and a tile walks its rows four tokens at a time.
/// </summary>
public static unsafe partial class MatMul
{
    interface ITokenCount
    {
        static abstract int Count { get; }
    }

    readonly struct One : ITokenCount { public static int Count => 1; }
    readonly struct Two : ITokenCount { public static int Count => 2; }
    readonly struct Three : ITokenCount { public static int Count => 3; }
    readonly struct Four : ITokenCount { public static int Count => 4; }

    interface IDotKernel
    {
        /// <summary>result[i] = row · token (t + i) for i below TCount.Count.</summary>
        static abstract void Dot<TCount>(byte* row, MatMulActivations a, int t, float* result) where TCount : struct, ITokenCount;
    }

    static void Tile<TKernel>(WeightMatrix w, MatMulActivations a, float* y, int row0, int row1, int t0, int t1) where TKernel : struct, IDotKernel
    {
        var t = t0;
        for (; t + 4 <= t1; t += 4) Tokens<TKernel, Four>(w, a, y, row0, row1, t);
        switch (t1 - t)
        {
            case 3: Tokens<TKernel, Three>(w, a, y, row0, row1, t); break;
            case 2: Tokens<TKernel, Two>(w, a, y, row0, row1, t); break;
            case 1: Tokens<TKernel, One>(w, a, y, row0, row1, t); break;
        }
    }

    static void Tokens<TKernel, TCount>(WeightMatrix w, MatMulActivations a, float* y, int row0, int row1, int t)
        where TKernel : struct, IDotKernel where TCount : struct, ITokenCount
    {
        // A local rather than stackalloc: a method with stackalloc cannot be recompiled mid-loop (OSR), so the JIT
        // would compile it once, early, without knowing which classes are already initialized.
        var results = Vector128<float>.Zero;
        var result = (float*)&results;
        long rows = w.Rows;
        for (var r = row0; r < row1; r++)
        {
            TKernel.Dot<TCount>(w.Row(r), a, t, result);
            for (var i = 0; i < TCount.Count; i++) y[(t + i) * rows + r] = result[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Sum(Vector256<float> v)
    {
        var half = v.GetLower() + v.GetUpper();
        half += Sse.MoveHighToLow(half, half);
        return half.ToScalar() + half.GetElement(1);
    }

    /// <summary>A row of plain floating-point weights, widened eight at a time.</summary>
    interface IFloatRow
    {
        static abstract Vector256<float> Load(byte* row, int i);
        static abstract float Load1(byte* row, int i);

        /// <summary>row · x for one token, the memory-bound case.</summary>
        static abstract float DotOne(byte* row, float* x, int columns);
    }

    readonly struct F32Row : IFloatRow
    {
        public static Vector256<float> Load(byte* row, int i) => Avx.LoadVector256((float*)row + i);
        public static float Load1(byte* row, int i) => ((float*)row)[i];
        public static float DotOne(byte* row, float* x, int columns) => FloatKernel<F32Row>.DotOne(row, x, columns);
    }

    readonly struct BF16Row : IFloatRow
    {
        public static Vector256<float> Load(byte* row, int i) => BFloat16.ToSingle((ushort*)row + i);
        public static float Load1(byte* row, int i) => BFloat16.ToSingle(((ushort*)row)[i]);
        public static float DotOne(byte* row, float* x, int columns) => FloatKernel<BF16Row>.DotOne(row, x, columns);
    }

    readonly struct F16Row : IFloatRow
    {
        public static Vector256<float> Load(byte* row, int i) => Float16.ToSingle((ushort*)row + i);
        public static float Load1(byte* row, int i) => Float16.ToSingle(((ushort*)row)[i]);

        /// <summary>Widens with <see cref="Float16.ToSingleFinite"/> and only tracks whether the row holds an infinity
        /// or NaN (a half shifted left by one, dropping the sign, is at least 0xF800 exactly then); such a rare row is
        /// redone with the exact widening. The same sums in the same order as <see cref="FloatKernel{TRow}"/>.</summary>
        public static float DotOne(byte* row, float* x, int columns)
        {
            var halves = (ushort*)row;
            Vector256<float> even = default, odd = default;
            var largest = Vector256<ushort>.Zero;
            var i = 0;
            for (; i + 32 <= columns; i += 32)
            {
                largest = Avx2.Max(largest, Avx.LoadVector256(halves + i) << 1);
                largest = Avx2.Max(largest, Avx.LoadVector256(halves + i + 16) << 1);
                even = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i), Avx.LoadVector256(x + i), even);
                odd = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i + 8), Avx.LoadVector256(x + i + 8), odd);
                even = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i + 16), Avx.LoadVector256(x + i + 16), even);
                odd = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i + 24), Avx.LoadVector256(x + i + 24), odd);
            }
            if (Vector256.GreaterThanOrEqualAny(largest, Vector256.Create((ushort)0xF800))) return FloatKernel<F16Row>.DotOne(row, x, columns);
            return FloatKernel<F16Row>.Finish(row, x, columns, i, even, odd);
        }
    }

    /// <summary>Float weights times float activations with FMA; each widened weight vector serves every token. Every
    /// token's sum is built the same way whatever the token count, so a token's result does not depend on the batch:
    /// vectors 0, 2, 4, … into one accumulator and 1, 3, 5, … into another (two FMA chains, so one token's latency does
    /// not bound the memory stream), then the two added, then the columns past the last vector.</summary>
    readonly struct FloatKernel<TRow> : IDotKernel where TRow : struct, IFloatRow
    {
        public static void Dot<TCount>(byte* row, MatMulActivations a, int t, float* result) where TCount : struct, ITokenCount
        {
            var columns = a.Columns;
            var x = a.Floats + (long)t * columns;
            if (TCount.Count == 1)
            {
                result[0] = TRow.DotOne(row, x, columns);
                return;
            }
            Vector256<float> even0 = default, even1 = default, even2 = default, even3 = default;
            Vector256<float> odd0 = default, odd1 = default, odd2 = default, odd3 = default;
            var i = 0;
            for (; i + 16 <= columns; i += 16)
            {
                var w = TRow.Load(row, i);
                var v = TRow.Load(row, i + 8);
                even0 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + i), even0);
                odd0 = Fma.MultiplyAdd(v, Avx.LoadVector256(x + i + 8), odd0);
                if (TCount.Count > 1) even1 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + columns + i), even1);
                if (TCount.Count > 1) odd1 = Fma.MultiplyAdd(v, Avx.LoadVector256(x + columns + i + 8), odd1);
                if (TCount.Count > 2) even2 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + 2 * columns + i), even2);
                if (TCount.Count > 2) odd2 = Fma.MultiplyAdd(v, Avx.LoadVector256(x + 2 * columns + i + 8), odd2);
                if (TCount.Count > 3) even3 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + 3 * columns + i), even3);
                if (TCount.Count > 3) odd3 = Fma.MultiplyAdd(v, Avx.LoadVector256(x + 3 * columns + i + 8), odd3);
            }
            result[0] = Finish(row, x, columns, i, even0, odd0);
            if (TCount.Count > 1) result[1] = Finish(row, x + columns, columns, i, even1, odd1);
            if (TCount.Count > 2) result[2] = Finish(row, x + 2 * columns, columns, i, even2, odd2);
            if (TCount.Count > 3) result[3] = Finish(row, x + 3 * columns, columns, i, even3, odd3);
        }

        /// <summary>One token: the same sums, unrolled to 32 columns so that the loads run ahead.</summary>
        public static float DotOne(byte* row, float* x, int columns)
        {
            Vector256<float> even = default, odd = default;
            var i = 0;
            for (; i + 32 <= columns; i += 32)
            {
                even = Fma.MultiplyAdd(TRow.Load(row, i), Avx.LoadVector256(x + i), even);
                odd = Fma.MultiplyAdd(TRow.Load(row, i + 8), Avx.LoadVector256(x + i + 8), odd);
                even = Fma.MultiplyAdd(TRow.Load(row, i + 16), Avx.LoadVector256(x + i + 16), even);
                odd = Fma.MultiplyAdd(TRow.Load(row, i + 24), Avx.LoadVector256(x + i + 24), odd);
            }
            return Finish(row, x, columns, i, even, odd);
        }

        /// <summary>Columns i.. (fewer than 32 left, or 16 for several tokens) into the same chains, then the sum.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Finish(byte* row, float* x, int columns, int i, Vector256<float> even, Vector256<float> odd)
        {
            for (; i + 16 <= columns; i += 16)
            {
                even = Fma.MultiplyAdd(TRow.Load(row, i), Avx.LoadVector256(x + i), even);
                odd = Fma.MultiplyAdd(TRow.Load(row, i + 8), Avx.LoadVector256(x + i + 8), odd);
            }
            if (i + 8 <= columns)
            {
                even = Fma.MultiplyAdd(TRow.Load(row, i), Avx.LoadVector256(x + i), even);
                i += 8;
            }
            var sum = Sum(even + odd);
            for (; i < columns; i++) sum += TRow.Load1(row, i) * x[i];
            return sum;
        }
    }
}
