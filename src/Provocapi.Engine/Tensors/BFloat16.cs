using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Provocapi.Engine.Tensors;

/// <summary>bfloat16 ("BF16", ggml_bf16_t): the upper 16 bits of a float, stored raw.</summary>
public static class BFloat16
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Eight bfloat16 values to floats (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> ToSingle(ushort* bits) => (Avx2.ConvertToVector256Int32(bits).AsUInt32() << 16).AsSingle();

    /// <summary>Round to nearest even; NaNs stay quiet NaNs (ggml's <c>ggml_compute_fp32_to_bf16</c> rule).</summary>
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (ushort)((bits >> 16) | 64);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }
}
