using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Provocapi.Engine.Tensors;

/// <summary>
/// IEEE binary16 ("F16", ggml_fp16_t) stored as its raw 16 bits. .NET exposes no F16C instructions, so the widening
/// is done with integer shifts: moving sign, exponent and mantissa into a float's positions and multiplying by 2^112
/// rebiases the exponent (15 → 127) and turns half subnormals into the right normal floats in one step; only
/// infinities and NaNs (exponent 31) need their exponent forced to all ones afterwards.
/// </summary>
public static class Float16
{
    const float ExponentRebias = (float)(1L << 56) * (1L << 56); // 2^112

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits)
    {
        var shifted = ((uint)(short)bits << 13) & 0x8FFFE000u;
        var value = BitConverter.UInt32BitsToSingle(shifted) * ExponentRebias;
        return (bits & 0x7C00) == 0x7C00 ? BitConverter.UInt32BitsToSingle(shifted | 0x7F800000u) : value;
    }

    /// <summary>Every half's float (256 KB), for the kernels' per-block scales: a load instead of the bit arithmetic and
    /// its branch. Real scales cluster in a narrow range, so only a few cache lines of it are ever hot.</summary>
    static readonly float[] s_table = BuildTable();

    static float[] BuildTable()
    {
        var table = new float[65536];
        for (var i = 0; i < table.Length; i++) table[i] = ToSingle((ushort)i);
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lookup(ushort bits) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_table), bits);

    /// <summary>Eight halves to eight floats (AVX2): sign-extending the 16 bits fills bits 31..29 with the sign, so a
    /// shift by 13 and one mask put every field in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> ToSingle(ushort* bits)
    {
        var shifted = Avx2.ConvertToVector256Int32((short*)bits).AsUInt32() << 13;
        shifted &= Vector256.Create(0x8FFFE000u);
        var value = shifted.AsSingle() * Vector256.Create(ExponentRebias);
        var exponent = shifted & Vector256.Create(0x0F800000u);
        var infinityOrNaN = Vector256.Equals(exponent, Vector256.Create(0x0F800000u)) & Vector256.Create(0x7F800000u);
        return (value.AsUInt32() | infinityOrNaN).AsSingle();
    }

    /// <summary>Like <see cref="ToSingle(ushort*)"/> for halves known to be finite (exponent below 31): four
    /// operations fewer, for kernels that check for infinities and NaNs separately, per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> ToSingleFinite(ushort* bits)
    {
        var shifted = (Avx2.ConvertToVector256Int32((short*)bits).AsUInt32() << 13) & Vector256.Create(0x8FFFE000u);
        return shifted.AsSingle() * Vector256.Create(ExponentRebias);
    }

    /// <summary>Round to nearest even, as ggml's <c>GGML_FP32_TO_FP16</c> does.</summary>
    public static ushort FromSingle(float value) => BitConverter.HalfToUInt16Bits((Half)value);
}
