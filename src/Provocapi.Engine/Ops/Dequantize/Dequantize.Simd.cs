using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Dequantize
{
    /// <summary>AVX2 + FMA twin of <see cref="RowReference"/>; bit-identical to it.</summary>
    static void RowSimd(TensorType type, byte* src, Span<float> dst)
    {
        CheckWholeBlocks(type, dst.Length);
        fixed (float* y = dst)
        {
            var n = dst.Length;
            switch (type)
            {
                case TensorType.F32: new ReadOnlySpan<float>(src, n).CopyTo(dst); break;
                case TensorType.F16: F16(src, y, n); break;
                case TensorType.BF16: BF16(src, y, n); break;
                case TensorType.Q8_0: Q8_0(src, y, n / 32); break;
                case TensorType.Q4_0: Q4_0(src, y, n / 32); break;
                case TensorType.Q4_1: Q4_1(src, y, n / 32); break;
                case TensorType.Q5_0: Q5_0(src, y, n / 32); break;
                case TensorType.Q5_1: Q5_1(src, y, n / 32); break;
                case TensorType.Q4_K: Q4_K(src, y, n / 256); break;
                case TensorType.Q5_K: Q5_K(src, y, n / 256); break;
                case TensorType.Q6_K: Q6_K(src, y, n / 256); break;
                default: throw new NotSupportedException($"dequantizing {TensorTypeInfo.Name(type)} is not supported");
            }
        }
    }

    static void F16(byte* src, float* y, int n)
    {
        var bits = (ushort*)src;
        var i = 0;
        for (; i + 8 <= n; i += 8) Avx.Store(y + i, Float16.ToSingle(bits + i));
        for (; i < n; i++) y[i] = Float16.ToSingle(bits[i]);
    }

    static void BF16(byte* src, float* y, int n)
    {
        var bits = (ushort*)src;
        var i = 0;
        for (; i + 8 <= n; i += 8) Avx.Store(y + i, BFloat16.ToSingle(bits + i));
        for (; i < n; i++) y[i] = BFloat16.ToSingle(bits[i]);
    }

    static void Q8_0(byte* src, float* y, int blocks)
    {
        for (var b = 0; b < blocks; b++, src += 34, y += 32)
            Store32(Avx.LoadVector256((sbyte*)(src + 2)), Vector256.Create(ReadHalf(src)), Vector256<float>.Zero, y);
    }

    static void Q4_0(byte* src, float* y, int blocks)
    {
        for (var b = 0; b < blocks; b++, src += 18, y += 32)
            Store32(Nibbles(src + 2) - Vector256.Create((sbyte)8), Vector256.Create(ReadHalf(src)), Vector256<float>.Zero, y);
    }

    static void Q4_1(byte* src, float* y, int blocks)
    {
        for (var b = 0; b < blocks; b++, src += 20, y += 32)
            Store32(Nibbles(src + 4), Vector256.Create(ReadHalf(src)), Vector256.Create(ReadHalf(src + 2)), y);
    }

    static void Q5_0(byte* src, float* y, int blocks)
    {
        for (var b = 0; b < blocks; b++, src += 22, y += 32)
            Store32(Nibbles(src + 6) + FifthBits(src + 2) - Vector256.Create((sbyte)16), Vector256.Create(ReadHalf(src)), Vector256<float>.Zero, y);
    }

    static void Q5_1(byte* src, float* y, int blocks)
    {
        for (var b = 0; b < blocks; b++, src += 24, y += 32)
            Store32(Nibbles(src + 8) + FifthBits(src + 4), Vector256.Create(ReadHalf(src)), Vector256.Create(ReadHalf(src + 2)), y);
    }

    static void Q4_K(byte* src, float* y, int blocks)
    {
        var mask = Vector256.Create((byte)0xF);
        for (var b = 0; b < blocks; b++, src += 144, y += 256)
        {
            float d = ReadHalf(src), dmin = ReadHalf(src + 2);
            var scales = KQuantScales.Unpack(src + 4);
            var qs = src + 16;
            for (var chunk = 0; chunk < 4; chunk++)
            {
                var q = Avx.LoadVector256(qs + 32 * chunk);
                Store32((q & mask).AsSByte(), Vector256.Create(d * scales.GetElement(2 * chunk)), Vector256.Create(-dmin * scales.GetElement(8 + 2 * chunk)), y + 64 * chunk);
                Store32((q.AsUInt16() >> 4).AsByte().AsSByte() & mask.AsSByte(), Vector256.Create(d * scales.GetElement(2 * chunk + 1)), Vector256.Create(-dmin * scales.GetElement(9 + 2 * chunk)), y + 64 * chunk + 32);
            }
        }
    }

    static void Q5_K(byte* src, float* y, int blocks)
    {
        var mask = Vector256.Create((sbyte)0xF);
        var one = Vector256.Create((sbyte)1);
        for (var b = 0; b < blocks; b++, src += 176, y += 256)
        {
            float d = ReadHalf(src), dmin = ReadHalf(src + 2);
            var scales = KQuantScales.Unpack(src + 4);
            var qh = Avx.LoadVector256(src + 16).AsUInt16();
            var qs = src + 48;
            for (var chunk = 0; chunk < 4; chunk++)
            {
                var q = Avx.LoadVector256(qs + 32 * chunk).AsUInt16();
                var low = (q.AsSByte() & mask) | (((qh >> (2 * chunk)).AsSByte() & one) << 4);
                var high = ((q >> 4).AsSByte() & mask) | (((qh >> (2 * chunk + 1)).AsSByte() & one) << 4);
                Store32(low, Vector256.Create(d * scales.GetElement(2 * chunk)), Vector256.Create(-dmin * scales.GetElement(8 + 2 * chunk)), y + 64 * chunk);
                Store32(high, Vector256.Create(d * scales.GetElement(2 * chunk + 1)), Vector256.Create(-dmin * scales.GetElement(9 + 2 * chunk)), y + 64 * chunk + 32);
            }
        }
    }

    static void Q6_K(byte* src, float* y, int blocks)
    {
        var mask = Vector256.Create((sbyte)0xF);
        var three = Vector256.Create((sbyte)3);
        var offset = Vector256.Create((sbyte)32);
        for (var b = 0; b < blocks; b++, src += 210, y += 256)
        {
            var d = ReadHalf(src + 208);
            var scales = (sbyte*)(src + 192);
            for (var half = 0; half < 2; half++)
            {
                var ql0 = Avx.LoadVector256(src + 64 * half).AsUInt16();
                var ql1 = Avx.LoadVector256(src + 64 * half + 32).AsUInt16();
                var qh = Avx.LoadVector256(src + 128 + 32 * half).AsUInt16();
                var q0 = (ql0.AsSByte() & mask) | ((qh.AsSByte() & three) << 4);
                var q1 = (ql1.AsSByte() & mask) | (((qh >> 2).AsSByte() & three) << 4);
                var q2 = ((ql0 >> 4).AsSByte() & mask) | (((qh >> 4).AsSByte() & three) << 4);
                var q3 = ((ql1 >> 4).AsSByte() & mask) | (((qh >> 6).AsSByte() & three) << 4);
                var s = scales + 8 * half;
                var o = y + 128 * half;
                Store16x2(q0 - offset, d * s[0], d * s[1], o);
                Store16x2(q1 - offset, d * s[2], d * s[3], o + 32);
                Store16x2(q2 - offset, d * s[4], d * s[5], o + 64);
                Store16x2(q3 - offset, d * s[6], d * s[7], o + 96);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float ReadHalf(byte* p) => Float16.ToSingle(Unsafe.ReadUnaligned<ushort>(p));

    /// <summary>The 32 four-bit values of a Q4_0/Q4_1/Q5 block's qs[16]: low nibbles first, then high nibbles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> Nibbles(byte* qs)
    {
        var packed = Sse2.LoadVector128(qs);
        var both = Vector256.Create(packed, (packed.AsUInt16() >> 4).AsByte());
        return (both & Vector256.Create((byte)0xF)).AsSByte();
    }

    /// <summary>Q5_0/Q5_1's qh: bit j of the little-endian uint32 is the fifth bit (value 16) of element j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> FifthBits(byte* qh)
    {
        // Broadcast byte j/8 of qh to lane j, keep bit j%8, and turn "set" into 16.
        var bits = Vector256.Create(Unsafe.ReadUnaligned<uint>(qh)).AsByte();
        var spread = Avx2.Shuffle(bits, Vector256.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        var bit = Vector256.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
        return (Vector256.Equals(spread & bit, bit) & Vector256.Create((byte)16)).AsSByte();
    }

    /// <summary>y[i] = scale·q[i] + bias for 32 small integers; multiply then add (not FMA) so that the values are
    /// bit-identical to the reference's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store32(Vector256<sbyte> q, Vector256<float> scale, Vector256<float> bias, float* y)
    {
        Store16(q.GetLower(), scale, bias, y);
        Store16(q.GetUpper(), scale, bias, y + 16);
    }

    /// <summary>Q6_K's 32 values: one scale for the first 16, another for the last 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store16x2(Vector256<sbyte> q, float scaleLow, float scaleHigh, float* y)
    {
        Store16(q.GetLower(), Vector256.Create(scaleLow), Vector256<float>.Zero, y);
        Store16(q.GetUpper(), Vector256.Create(scaleHigh), Vector256<float>.Zero, y + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store16(Vector128<sbyte> q, Vector256<float> scale, Vector256<float> bias, float* y)
    {
        Avx.Store(y, Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q)) * scale + bias);
        Avx.Store(y + 8, Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(q, 8))) * scale + bias);
    }
}
