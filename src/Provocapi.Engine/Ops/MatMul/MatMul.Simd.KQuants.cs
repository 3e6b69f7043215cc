using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

        /// <summary>pshufb masks that broadcast 16-bit lane k (k = 0..7) of a register holding the eight scales in both
        /// 128-bit halves: one shuffle per sub-block instead of a scalar load and broadcast.</summary>
        static ReadOnlySpan<byte> ScaleBroadcast =>
        [
            0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
            2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3,
            4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5,
            6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7,
            8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9,
            10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11,
            12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13,
            14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15,
        ];

        public static void Dot<TCount>(byte* row, MatMulActivations a, int t, float* result) where TCount : struct, ITokenCount
        {
            var blocks = a.BlocksPerToken;
            long columns = a.Columns;
            var groups = columns / Quantize.ActivationGroup;
            var x = a.Quants + t * columns;
            var s = a.Scales + (long)t * blocks;
            var g = a.GroupSums + t * groups;
            var mask = Vector256.Create((byte)0xF);
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            // Data of a ReadOnlySpan<byte> property over constants lives in the image and never moves: no pinning needed.
            var broadcast = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(ScaleBroadcast));
            for (var b = 0; b < blocks; b++, row += Bytes, x += 256, s++, g += 16)
            {
                var unpacked = KQuantScales.Unpack(row + 4);
                var scales8 = Sse41.ConvertToVector128Int16(unpacked).AsByte();
                var scales16 = Vector256.Create(scales8, scales8);
                Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
                for (var chunk = 0; chunk < 4; chunk++)
                {
                    var q = Avx.LoadVector256(row + 16 + 32 * chunk);
                    var low = q & mask;
                    var high = (q.AsUInt16() >> 4).AsByte() & mask;
                    var scaleLow = Avx2.Shuffle(scales16, Avx.LoadVector256(broadcast + 64 * chunk)).AsInt16();
                    var scaleHigh = Avx2.Shuffle(scales16, Avx.LoadVector256(broadcast + 64 * chunk + 32)).AsInt16();
                    var xc = x + 64 * chunk;
                    sum0 += Chunk(low, high, xc, scaleLow, scaleHigh);
                    if (TCount.Count > 1) sum1 += Chunk(low, high, xc + columns, scaleLow, scaleHigh);
                    if (TCount.Count > 2) sum2 += Chunk(low, high, xc + 2 * columns, scaleLow, scaleHigh);
                    if (TCount.Count > 3) sum3 += Chunk(low, high, xc + 3 * columns, scaleLow, scaleHigh);
                }
                // Mins duplicated per pair of 16-sums: min j covers groups 2j and 2j + 1.
                var mins = Avx2.ConvertToVector256Int16(Sse2.UnpackHigh(unpacked, unpacked));
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

        /// <summary>pshufb masks over the 16 int8 scales: mask i spreads scale 2i over bytes 0-7 and scale 2i + 1 over
        /// bytes 8-15, the two scales of the i-th run of 32 elements.</summary>
        static ReadOnlySpan<byte> ScalePairs =>
        [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
            4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7,
            8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11,
            12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15,
        ];

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
            // Data of a ReadOnlySpan<byte> property over constants lives in the image and never moves: no pinning needed.
            var pairs = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(ScalePairs));
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (var b = 0; b < blocks; b++, row += Bytes, x += 256, s++, g += 16)
            {
                var scaleBytes = Sse2.LoadVector128(row + 192);
                Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
                for (var half = 0; half < 2; half++)
                {
                    var ql0 = Avx.LoadVector256(row + 64 * half);
                    var ql1 = Avx.LoadVector256(row + 64 * half + 32);
                    var qh = Avx.LoadVector256(row + 128 + 32 * half).AsUInt16();
                    var xh = x + 128 * half;
                    var p = pairs + 64 * half;
                    // Elements 32k..32k+31 of this half: low bits from ql0 (k = 0, 2) or ql1 (k = 1, 3), low or high
                    // nibble, top two bits from bits 2k of qh.
                    var q0 = (ql0 & low4) | (((qh.AsByte() & low2).AsUInt16() << 4).AsByte());
                    Accumulate<TCount>(q0, ScalePair(scaleBytes, p), xh, columns, ref sum0, ref sum1, ref sum2, ref sum3);
                    var q1 = (ql1 & low4) | ((((qh >> 2).AsByte() & low2).AsUInt16() << 4).AsByte());
                    Accumulate<TCount>(q1, ScalePair(scaleBytes, p + 16), xh + 32, columns, ref sum0, ref sum1, ref sum2, ref sum3);
                    var q2 = ((ql0.AsUInt16() >> 4).AsByte() & low4) | ((((qh >> 4).AsByte() & low2).AsUInt16() << 4).AsByte());
                    Accumulate<TCount>(q2, ScalePair(scaleBytes, p + 32), xh + 64, columns, ref sum0, ref sum1, ref sum2, ref sum3);
                    var q3 = ((ql1.AsUInt16() >> 4).AsByte() & low4) | ((((qh >> 6).AsByte() & low2).AsUInt16() << 4).AsByte());
                    Accumulate<TCount>(q3, ScalePair(scaleBytes, p + 48), xh + 96, columns, ref sum0, ref sum1, ref sum2, ref sum3);
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

        /// <summary>The 16 int16 scales of a run of 32 elements (two groups of 16).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<short> ScalePair(Vector128<byte> scaleBytes, byte* mask) =>
            Avx2.ConvertToVector256Int16(Ssse3.Shuffle(scaleBytes, Sse2.LoadVector128(mask)).AsSByte());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Accumulate<TCount>(Vector256<byte> q, Vector256<short> scale, sbyte* x, long columns,
            ref Vector256<int> sum0, ref Vector256<int> sum1, ref Vector256<int> sum2, ref Vector256<int> sum3) where TCount : struct, ITokenCount
        {
            sum0 += Group(q, x, scale);
            if (TCount.Count > 1) sum1 += Group(q, x + columns, scale);
            if (TCount.Count > 2) sum2 += Group(q, x + 2 * columns, scale);
            if (TCount.Count > 3) sum3 += Group(q, x + 3 * columns, scale);
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
