using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Provocapi.Engine.Tensors;

/// <summary>
/// The 12 bytes of 6-bit scales and mins of a Q4_K or Q5_K super-block (ggml-common.h, <c>block_q4_K.scales</c>):
/// eight sub-blocks of 32 elements, each with a 6-bit scale and a 6-bit min. Bytes 0-3 hold scales 0-3 and bytes 4-7
/// mins 0-3 in their low six bits; scales and mins 4-7 keep their low four bits in bytes 8-11 (scale low, min high
/// nibble) and their top two bits in the spare top bits of bytes 0-3 (scales) and 4-7 (mins).
/// </summary>
public static unsafe class KQuantScales
{
    public const int Bytes = 12;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Get(byte* scales, int j, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = scales[j] & 63;
            min = scales[j + 4] & 63;
        }
        else
        {
            scale = (scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4);
            min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
        }
    }

    /// <summary>All eight scales as bytes 0-7 and all eight mins as bytes 8-15, with 32-bit word operations (four
    /// values per operation) instead of sixteen byte extractions; in a register, so kernels need no stack buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Unpack(byte* scales)
    {
        const uint low6 = 0x3F3F3F3F, low4 = 0x0F0F0F0F, top2 = 0x03030303;
        var a = Unsafe.ReadUnaligned<uint>(scales);
        var b = Unsafe.ReadUnaligned<uint>(scales + 4);
        var c = Unsafe.ReadUnaligned<uint>(scales + 8);
        return Vector128.Create(
            a & low6,
            (c & low4) | (((a >> 6) & top2) << 4),
            b & low6,
            ((c >> 4) & low4) | (((b >> 6) & top2) << 4)).AsByte();
    }

    /// <summary>Packs eight 6-bit scales and mins (the inverse of <see cref="Get"/>).</summary>
    public static void Pack(ReadOnlySpan<byte> scale, ReadOnlySpan<byte> min, byte* scales)
    {
        for (var j = 0; j < Bytes; j++) scales[j] = 0;
        for (var j = 0; j < 8; j++)
        {
            if (j < 4)
            {
                scales[j] = scale[j];
                scales[j + 4] = min[j];
            }
            else
            {
                scales[j + 4] = (byte)((scale[j] & 0xF) | ((min[j] & 0xF) << 4));
                scales[j - 4] |= (byte)((scale[j] >> 4) << 6);
                scales[j] |= (byte)((min[j] >> 4) << 6);
            }
        }
    }
}
