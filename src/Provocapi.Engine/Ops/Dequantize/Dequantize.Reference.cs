using System.Runtime.CompilerServices;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Dequantize
{
    /// <summary>The slow, obvious twin of <see cref="Row"/>: one element at a time, straight from the block layouts of
    /// ggml-common.h (<c>dequantize_row_*</c> in ggml-quants.c compute the same values).</summary>
    public static void RowReference(TensorType type, byte* src, Span<float> dst)
    {
        var elements = TensorTypeInfo.BlockElements(type);
        var bytes = TensorTypeInfo.BlockBytes(type);
        CheckWholeBlocks(type, dst.Length);
        for (var b = 0; b < dst.Length / elements; b++)
        {
            var block = src + (long)b * bytes;
            var y = dst.Slice(b * elements, elements);
            switch (type)
            {
                case TensorType.F32: y[0] = Unsafe.ReadUnaligned<float>(block); break;
                case TensorType.F16: y[0] = Half(block); break;
                case TensorType.BF16: y[0] = BitConverter.UInt32BitsToSingle((uint)Unsafe.ReadUnaligned<ushort>(block) << 16); break;
                case TensorType.Q8_0: Q8_0Reference(block, y); break;
                case TensorType.Q4_0: Q4_0Reference(block, y); break;
                case TensorType.Q4_1: Q4_1Reference(block, y); break;
                case TensorType.Q5_0: Q5_0Reference(block, y); break;
                case TensorType.Q5_1: Q5_1Reference(block, y); break;
                case TensorType.Q4_K: Q4_KReference(block, y); break;
                case TensorType.Q5_K: Q5_KReference(block, y); break;
                case TensorType.Q6_K: Q6_KReference(block, y); break;
                default: throw new NotSupportedException($"dequantizing {TensorTypeInfo.Name(type)} is not supported");
            }
        }
    }

    static float Half(byte* p) => (float)BitConverter.UInt16BitsToHalf(Unsafe.ReadUnaligned<ushort>(p));

    /// <summary>block_q8_0: half d, int8 qs[32]; x = d·q.</summary>
    static void Q8_0Reference(byte* block, Span<float> y)
    {
        var d = Half(block);
        for (var j = 0; j < 32; j++) y[j] = d * (sbyte)block[2 + j];
    }

    /// <summary>block_q4_0: half d, qs[16]; element j is the low nibble of qs[j], element j+16 the high one; x = d·(q − 8).</summary>
    static void Q4_0Reference(byte* block, Span<float> y)
    {
        var d = Half(block);
        for (var j = 0; j < 16; j++)
        {
            y[j] = d * ((block[2 + j] & 0xF) - 8);
            y[j + 16] = d * ((block[2 + j] >> 4) - 8);
        }
    }

    /// <summary>block_q4_1: half d, half m, qs[16] as Q4_0; x = d·q + m.</summary>
    static void Q4_1Reference(byte* block, Span<float> y)
    {
        float d = Half(block), m = Half(block + 2);
        for (var j = 0; j < 16; j++)
        {
            y[j] = d * (block[4 + j] & 0xF) + m;
            y[j + 16] = d * (block[4 + j] >> 4) + m;
        }
    }

    /// <summary>block_q5_0: half d, uint32 qh (bit j = fifth bit of element j), qs[16] as Q4_0; x = d·(q − 16).</summary>
    static void Q5_0Reference(byte* block, Span<float> y)
    {
        var d = Half(block);
        var qh = Unsafe.ReadUnaligned<uint>(block + 2);
        for (var j = 0; j < 16; j++)
        {
            var low = (int)((uint)(block[6 + j] & 0xF) | (((qh >> j) & 1) << 4));
            var high = (int)((uint)(block[6 + j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
            y[j] = d * (low - 16);
            y[j + 16] = d * (high - 16);
        }
    }

    /// <summary>block_q5_1: half d, half m, uint32 qh, qs[16] as Q5_0; x = d·q + m.</summary>
    static void Q5_1Reference(byte* block, Span<float> y)
    {
        float d = Half(block), m = Half(block + 2);
        var qh = Unsafe.ReadUnaligned<uint>(block + 4);
        for (var j = 0; j < 16; j++)
        {
            var low = (int)((uint)(block[8 + j] & 0xF) | (((qh >> j) & 1) << 4));
            var high = (int)((uint)(block[8 + j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
            y[j] = d * low + m;
            y[j + 16] = d * high + m;
        }
    }

    /// <summary>block_q4_K: half d, half dmin, scales[12] (see <see cref="KQuantScales"/>), qs[128]. Each 64 elements
    /// take 32 bytes of qs: low nibbles are sub-block 2i, high nibbles sub-block 2i+1; x = d·scale·q − dmin·min.</summary>
    static void Q4_KReference(byte* block, Span<float> y)
    {
        float d = Half(block), dmin = Half(block + 2);
        var scales = block + 4;
        var qs = block + 4 + KQuantScales.Bytes;
        for (var chunk = 0; chunk < 4; chunk++)
        {
            KQuantScales.Get(scales, 2 * chunk, out var scaleLow, out var minLow);
            KQuantScales.Get(scales, 2 * chunk + 1, out var scaleHigh, out var minHigh);
            for (var l = 0; l < 32; l++)
            {
                y[64 * chunk + l] = d * scaleLow * (qs[32 * chunk + l] & 0xF) - dmin * minLow;
                y[64 * chunk + 32 + l] = d * scaleHigh * (qs[32 * chunk + l] >> 4) - dmin * minHigh;
            }
        }
    }

    /// <summary>block_q5_K: half d, half dmin, scales[12], qh[32], qs[128]: Q4_K's nibbles plus a fifth bit, which for
    /// chunk i of 64 elements is bit 2i (low half) or 2i+1 (high half) of qh[l].</summary>
    static void Q5_KReference(byte* block, Span<float> y)
    {
        float d = Half(block), dmin = Half(block + 2);
        var scales = block + 4;
        var qh = block + 4 + KQuantScales.Bytes;
        var qs = qh + 32;
        for (var chunk = 0; chunk < 4; chunk++)
        {
            KQuantScales.Get(scales, 2 * chunk, out var scaleLow, out var minLow);
            KQuantScales.Get(scales, 2 * chunk + 1, out var scaleHigh, out var minHigh);
            for (var l = 0; l < 32; l++)
            {
                var low = (qs[32 * chunk + l] & 0xF) | (((qh[l] >> (2 * chunk)) & 1) << 4);
                var high = (qs[32 * chunk + l] >> 4) | (((qh[l] >> (2 * chunk + 1)) & 1) << 4);
                y[64 * chunk + l] = d * scaleLow * low - dmin * minLow;
                y[64 * chunk + 32 + l] = d * scaleHigh * high - dmin * minHigh;
            }
        }
    }

    /// <summary>block_q6_K: ql[128] (low four bits), qh[64] (top two bits), int8 scales[16] (one per 16 elements), half d.
    /// Each half of 128 elements takes 64 bytes of ql and 32 of qh: element l + 32k (k = 0..3) has its low bits in
    /// ql[l] (k = 0, 2: low/high nibble) or ql[l + 32] (k = 1, 3) and its top bits at bits 2k of qh[l]; x = d·scale·(q − 32).</summary>
    static void Q6_KReference(byte* block, Span<float> y)
    {
        var d = Half(block + 128 + 64 + 16);
        var scales = (sbyte*)(block + 128 + 64);
        for (var half = 0; half < 2; half++)
        {
            var ql = block + 64 * half;
            var qh = block + 128 + 32 * half;
            for (var l = 0; l < 32; l++)
            {
                for (var k = 0; k < 4; k++)
                {
                    var low = k < 2 ? ql[l + 32 * k] & 0xF : ql[l + 32 * (k - 2)] >> 4;
                    var q = (low | (((qh[l] >> (2 * k)) & 3) << 4)) - 32;
                    var e = 128 * half + 32 * k + l;
                    y[e] = d * scales[e / 16] * q;
                }
            }
        }
    }

    static void CheckWholeBlocks(TensorType type, int elements)
    {
        var block = TensorTypeInfo.BlockElements(type);
        if (elements % block != 0)
            throw new ArgumentException($"{elements} elements are not a whole number of {TensorTypeInfo.Name(type)} blocks of {block}");
    }
}
