using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// Q8_0 weights regrouped eight rows at a time (<see cref="Q8_0RowGroups"/>) against int8 activation blocks. One 32-byte
/// load holds four values of each of the eight rows; a token's four values broadcast against it give the eight rows'
/// partial sums lane by lane (the sign trick of <see cref="BlockKernel{TBlock}"/>), so a block's eight row sums build
/// up in one integer register and take one conversion and one FMA per token, where the row-by-row kernels spend one
/// per row and token. y[t, r] = Σ_b float(q_w(r, b)·q_x(t, b))·(d_w(r, b)·d_x(t, b)), the integer dot product of a
/// block exact and the blocks added in order: the same arithmetic for one token or many, so a token's result never
/// depends on which tokens share the call.
/// </summary>
public static unsafe partial class MatMul
{
    /// <summary>Whether the matrix multiply reads <paramref name="w"/> faster regrouped (<see cref="WeightMatrix.Regroup"/>):
    /// a Q8_0 matrix of whole groups of rows, on a machine with the AVX2 kernels.</summary>
    public static bool ReadsGrouped(WeightMatrix w) => w.CanRegroup && MatMulActivations.LayoutFor(w.Type) == ActivationLayout.Blocks;

    [ThreadStatic] static float[]? t_groupOutput;

    /// <summary>Rows [row0, row1) of a regrouped matrix for tokens [t0, t1): whole groups straight into y, a group cut
    /// by the range through a scratch output.</summary>
    static void GroupedTile(WeightMatrix w, MatMulActivations a, float* y, int row0, int row1, int t0, int t1)
    {
        long rows = w.Rows;
        var groupBytes = (long)a.BlocksPerToken * Q8_0RowGroups.BlockBytes;
        for (var g = row0 / Q8_0RowGroups.Rows; g * Q8_0RowGroups.Rows < row1; g++)
        {
            var first = g * Q8_0RowGroups.Rows;
            var group = w.Data + g * groupBytes;
            if (first >= row0 && first + Q8_0RowGroups.Rows <= row1)
            {
                GroupTokens(a, group, y + first, rows, t0, t1);
                continue;
            }
            var scratch = Scratch(ref t_groupOutput, t1 * Q8_0RowGroups.Rows);
            GroupTokens(a, group, scratch, Q8_0RowGroups.Rows, t0, t1);
            for (var r = Math.Max(row0, first); r < Math.Min(row1, first + Q8_0RowGroups.Rows); r++)
                for (var t = t0; t < t1; t++)
                    y[t * rows + r] = scratch[t * Q8_0RowGroups.Rows + r - first];
        }
    }

    /// <summary>One group against tokens [t0, t1), four at a time; output row i of token t at y[t·stride + i].</summary>
    static void GroupTokens(MatMulActivations a, byte* group, float* y, long stride, int t0, int t1)
    {
        var t = t0;
        for (; t + 4 <= t1; t += 4) EightRows<Four>(a, group, y, stride, t);
        switch (t1 - t)
        {
            case 3: EightRows<Three>(a, group, y, stride, t); break;
            case 2: EightRows<Two>(a, group, y, stride, t); break;
            case 1: EightRows<One>(a, group, y, stride, t); break;
        }
    }

    /// <summary>A group of eight rows against tokens t..t+TCount−1: per block, integer sums i{j} for token j with row i
    /// in lane i, then one FMA per token into float accumulators of the same shape.</summary>
    static void EightRows<TCount>(MatMulActivations a, byte* group, float* y, long stride, int t) where TCount : struct, ITokenCount
    {
        var blocks = a.BlocksPerToken;
        long columns = a.Columns;
        var x = a.Quants + t * columns;
        var s = a.Scales + (long)t * blocks;
        var ones = Vector256.Create((short)1);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (var b = 0; b < blocks; b++, group += Q8_0RowGroups.BlockBytes, x += 32, s++)
        {
            var quants = (sbyte*)group + 2 * Q8_0RowGroups.Rows;
            Vector256<int> i0 = default, i1 = default, i2 = default, i3 = default;
            for (var k = 0; k < 8; k++)
            {
                var wk = Avx.LoadVector256(quants + 32 * k);
                var mk = Avx2.Abs(wk);
                i0 += FourValues(mk, wk, x + 4 * k, ones);
                if (TCount.Count > 1) i1 += FourValues(mk, wk, x + columns + 4 * k, ones);
                if (TCount.Count > 2) i2 += FourValues(mk, wk, x + 2 * columns + 4 * k, ones);
                if (TCount.Count > 3) i3 += FourValues(mk, wk, x + 3 * columns + 4 * k, ones);
            }
            var dw = Float16.ToSingle((ushort*)group);
            acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i0), dw * Vector256.Create(s[0]), acc0);
            if (TCount.Count > 1) acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i1), dw * Vector256.Create(s[blocks]), acc1);
            if (TCount.Count > 2) acc2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i2), dw * Vector256.Create(s[2 * blocks]), acc2);
            if (TCount.Count > 3) acc3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i3), dw * Vector256.Create(s[3 * blocks]), acc3);
        }
        Avx.Store(y + t * stride, acc0);
        if (TCount.Count > 1) Avx.Store(y + (t + 1) * stride, acc1);
        if (TCount.Count > 2) Avx.Store(y + (t + 2) * stride, acc2);
        if (TCount.Count > 3) Avx.Store(y + (t + 3) * stride, acc3);
    }

    /// <summary>Four values of one token, broadcast, against four values of each of eight rows: the eight rows' sums of
    /// four products, as int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> FourValues(Vector256<byte> magnitude, Vector256<sbyte> w, sbyte* x, Vector256<short> ones)
    {
        var values = Avx2.BroadcastScalarToVector256((int*)x).AsSByte();
        return Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(values, w)), ones);
    }
}
