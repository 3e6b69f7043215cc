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
        /// redone with the exact widening.</summary>
        public static float DotOne(byte* row, float* x, int columns)
        {
            var halves = (ushort*)row;
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            var largest = Vector256<ushort>.Zero;
            var i = 0;
            for (; i + 32 <= columns; i += 32)
            {
                largest = Avx2.Max(largest, Avx.LoadVector256(halves + i) << 1);
                largest = Avx2.Max(largest, Avx.LoadVector256(halves + i + 16) << 1);
                acc0 = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i), Avx.LoadVector256(x + i), acc0);
                acc1 = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i + 8), Avx.LoadVector256(x + i + 8), acc1);
                acc2 = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i + 16), Avx.LoadVector256(x + i + 16), acc2);
                acc3 = Fma.MultiplyAdd(Float16.ToSingleFinite(halves + i + 24), Avx.LoadVector256(x + i + 24), acc3);
            }
            if (Vector256.GreaterThanOrEqualAny(largest, Vector256.Create((ushort)0xF800))) return FloatKernel<F16Row>.DotOne(row, x, columns);
            for (; i + 8 <= columns; i += 8) acc0 = Fma.MultiplyAdd(Float16.ToSingle(halves + i), Avx.LoadVector256(x + i), acc0);
            var sum = Sum((acc0 + acc1) + (acc2 + acc3));
            for (; i < columns; i++) sum += Float16.ToSingle(halves[i]) * x[i];
            return sum;
        }
    }

    /// <summary>Float weights times float activations with FMA; each widened weight vector serves every token.</summary>
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
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            var i = 0;
            for (; i + 8 <= columns; i += 8)
            {
                var w = TRow.Load(row, i);
                acc0 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + i), acc0);
                if (TCount.Count > 1) acc1 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + columns + i), acc1);
                if (TCount.Count > 2) acc2 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + 2 * columns + i), acc2);
                if (TCount.Count > 3) acc3 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + 3 * columns + i), acc3);
            }
            for (var k = 0; k < TCount.Count; k++)
            {
                var sum = Sum(k == 0 ? acc0 : k == 1 ? acc1 : k == 2 ? acc2 : acc3);
                for (var j = i; j < columns; j++) sum += TRow.Load1(row, j) * x[k * columns + j];
                result[k] = sum;
            }
        }

        /// <summary>One token: four independent accumulators, so the FMA latency does not bound the memory stream.</summary>
        public static float DotOne(byte* row, float* x, int columns)
        {
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            var i = 0;
            for (; i + 32 <= columns; i += 32)
            {
                acc0 = Fma.MultiplyAdd(TRow.Load(row, i), Avx.LoadVector256(x + i), acc0);
                acc1 = Fma.MultiplyAdd(TRow.Load(row, i + 8), Avx.LoadVector256(x + i + 8), acc1);
                acc2 = Fma.MultiplyAdd(TRow.Load(row, i + 16), Avx.LoadVector256(x + i + 16), acc2);
                acc3 = Fma.MultiplyAdd(TRow.Load(row, i + 24), Avx.LoadVector256(x + i + 24), acc3);
            }
            for (; i + 8 <= columns; i += 8) acc0 = Fma.MultiplyAdd(TRow.Load(row, i), Avx.LoadVector256(x + i), acc0);
            var sum = Sum((acc0 + acc1) + (acc2 + acc3));
            for (; i < columns; i++) sum += TRow.Load1(row, i) * x[i];
            return sum;
        }
    }
}
