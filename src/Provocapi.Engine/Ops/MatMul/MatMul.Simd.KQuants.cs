using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// Kernels for the K-quant super-blocks of 256 against int8 activation super-blocks with sums of 16
/// (<see cref="ActivationLayout.SuperBlocks"/>). The weights' quants are unsigned (0..15, 0..63), so they are maddubs'
/// unsigned operand directly; the sub-block scales multiply in with madd, all in int32 until the end of the
/// super-block. What the unsigned form leaves out (Q4_K's mins, Q6_K's offset of 32) is a sub-block scale times the
/// sum of the activations it covers, which the activation group sums give with one more madd.
/// </summary>
public static unsafe partial class MatMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float ReadHalf(byte* p) => Float16.Lookup(Unsafe.ReadUnaligned<ushort>(p));

    /// <summary>block_q4_K (ggml-common.h): half d, half dmin, 12 bytes of 6-bit scales and mins, qs[128]; 64 elements
    /// per 32 bytes of qs, low nibbles first. Value d·scale·q − dmin·min.</summary>
    readonly struct Q4_KKernel : IDotKernel
    {
        const int Bytes = 144;

        public static void Dot<TCount>(byte* row, MatMulActivations a, int t, float* result) where TCount : struct, ITokenCount
        {
            var blocks = a.BlocksPerToken;
            long columns = a.Columns;
            var groups = columns / Quantize.ActivationGroup;
            var x = a.Quants + t * columns;
            var s = a.Scales + (long)t * blocks;
            var g = a.GroupSums + t * groups;
            var unpacked = stackalloc uint[4];
            var scales = (byte*)unpacked;
            var mask = Vector256.Create((byte)0xF);
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (var b = 0; b < blocks; b++, row += Bytes, x += 256, s++, g += 16)
            {
                KQuantScales.Unpack(row + 4, unpacked);
                Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
                for (var chunk = 0; chunk < 4; chunk++)
                {
                    var q = Avx.LoadVector256(row + 16 + 32 * chunk);
                    var low = q & mask;
                    var high = (q.AsUInt16() >> 4).AsByte() & mask;
                    var scaleLow = Vector256.Create((short)scales[2 * chunk]);
                    var scaleHigh = Vector256.Create((short)scales[2 * chunk + 1]);
                    var xc = x + 64 * chunk;
                    sum0 += Chunk(low, high, xc, scaleLow, scaleHigh);
                    if (TCount.Count > 1) sum1 += Chunk(low, high, xc + columns, scaleLow, scaleHigh);
                    if (TCount.Count > 2) sum2 += Chunk(low, high, xc + 2 * columns, scaleLow, scaleHigh);
                    if (TCount.Count > 3) sum3 += Chunk(low, high, xc + 3 * columns, scaleLow, scaleHigh);
                }
                // Mins duplicated per pair of 16-sums: min j covers groups 2j and 2j + 1.
                var mins8 = Vector128.CreateScalar(*(ulong*)(scales + 8)).AsByte();
                var mins = Avx2.ConvertToVector256Int16(Sse2.UnpackLow(mins8, mins8));
                float d = ReadHalf(row), dmin = ReadHalf(row + 2);
                acc0 = Finish(sum0, mins, g, s[0], d, dmin, acc0);
                if (TCount.Count > 1) acc1 = Finish(sum1, mins, g + groups, s[blocks], d, dmin, acc1);
                if (TCount.Count > 2) acc2 = Finish(sum2, mins, g + 2 * groups, s[2 * blocks], d, dmin, acc2);
                if (TCount.Count > 3) acc3 = Finish(sum3, mins, g + 3 * groups, s[3 * blocks], d, dmin, acc3);
            }
            result[0] = Sum(acc0);
            if (TCount.Count > 1) result[1] = Sum(acc1);
            if (TCount.Count > 2) result[2] = Sum(acc2);
            if (TCount.Count > 3) result[3] = Sum(acc3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Chunk(Vector256<byte> low, Vector256<byte> high, sbyte* x, Vector256<short> scaleLow, Vector256<short> scaleHigh) =>
            Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(low, Avx.LoadVector256(x)), scaleLow)
            + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(high, Avx.LoadVector256(x + 32)), scaleHigh);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Finish(Vector256<int> sum, Vector256<short> mins, short* groupSums, float xScale, float d, float dmin, Vector256<float> acc)
        {
            var minSums = Avx2.MultiplyAddAdjacent(mins, Avx.LoadVector256(groupSums));
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Vector256.Create(d * xScale), acc);
            return Fma.MultiplyAddNegated(Avx.ConvertToVector256Single(minSums), Vector256.Create(dmin * xScale), acc);
        }
    }

    /// <summary>block_q6_K (ggml-common.h): ql[128], qh[64], int8 scales[16], half d; value d·scale·(q − 32) with one
    /// scale per 16 elements (layout in <see cref="Dequantize.RowReference"/>).</summary>
    readonly struct Q6_KKernel : IDotKernel
    {
        const int Bytes = 210;

        public static void Dot<TCount>(byte* row, MatMulActivations a, int t, float* result) where TCount : struct, ITokenCount
        {
            var blocks = a.BlocksPerToken;
            long columns = a.Columns;
            var groups = columns / Quantize.ActivationGroup;
            var x = a.Quants + t * columns;
            var s = a.Scales + (long)t * blocks;
            var g = a.GroupSums + t * groups;
            var low4 = Vector256.Create((byte)0xF);
            var low2 = Vector256.Create((byte)3);
            // Shuffle that spreads scale i over bytes 0-7 and scale i + 1 over bytes 8-15.
            var pairPattern = Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (var b = 0; b < blocks; b++, row += Bytes, x += 256, s++, g += 16)
            {
                var scaleBytes = Sse2.LoadVector128(row + 192);
                Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
                for (var half = 0; half < 2; half++)
                {
                    var ql0 = Avx.LoadVector256(row + 64 * half);
                    var ql1 = Avx.LoadVector256(row + 64 * half + 32);
                    var qh = Avx.LoadVector256(row + 128 + 32 * half);
                    for (var k = 0; k < 4; k++)
                    {
                        var nibbles = k switch { 0 => ql0, 1 => ql1, 2 => (ql0.AsUInt16() >> 4).AsByte(), _ => (ql1.AsUInt16() >> 4).AsByte() };
                        var top = ((qh.AsUInt16() >> (2 * k)).AsByte() & low2).AsUInt16() << 4;
                        var q = (nibbles & low4) | top.AsByte();
                        var scale = Avx2.ConvertToVector256Int16(Ssse3.Shuffle(scaleBytes, pairPattern + Vector128.Create((byte)(8 * half + 2 * k))).AsSByte());
                        var xk = x + 128 * half + 32 * k;
                        sum0 += Group(q, xk, scale);
                        if (TCount.Count > 1) sum1 += Group(q, xk + columns, scale);
                        if (TCount.Count > 2) sum2 += Group(q, xk + 2 * columns, scale);
                        if (TCount.Count > 3) sum3 += Group(q, xk + 3 * columns, scale);
                    }
                }
                var scales = Avx2.ConvertToVector256Int16(scaleBytes.AsSByte());
                var d = ReadHalf(row + 208);
                acc0 = Finish(sum0, scales, g, s[0], d, acc0);
                if (TCount.Count > 1) acc1 = Finish(sum1, scales, g + groups, s[blocks], d, acc1);
                if (TCount.Count > 2) acc2 = Finish(sum2, scales, g + 2 * groups, s[2 * blocks], d, acc2);
                if (TCount.Count > 3) acc3 = Finish(sum3, scales, g + 3 * groups, s[3 * blocks], d, acc3);
            }
            result[0] = Sum(acc0);
            if (TCount.Count > 1) result[1] = Sum(acc1);
            if (TCount.Count > 2) result[2] = Sum(acc2);
            if (TCount.Count > 3) result[3] = Sum(acc3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Group(Vector256<byte> q, sbyte* x, Vector256<short> scale) =>
            Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Avx.LoadVector256(x)), scale);

        /// <summary>Σ scale·(q − 32)·x = Σ scale·q·x − 32·Σ scale·(sum of the group's x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Finish(Vector256<int> sum, Vector256<short> scales, short* groupSums, float xScale, float d, Vector256<float> acc)
        {
            var offset = Avx2.MultiplyAddAdjacent(scales, Avx.LoadVector256(groupSums)) << 5;
            return Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum - offset), Vector256.Create(d * xScale), acc);
        }
    }
}
