using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops.Dequantize;

public static unsafe class Dequantize
{
    public static void Row(TensorType type, byte* src, Span<float> dst)
    {
        switch (type)
        {
            case TensorType.F32: new ReadOnlySpan<float>(src, dst.Length).CopyTo(dst); break;
            case TensorType.F16: for (var i = 0; i < dst.Length; i++) dst[i] = (float)((Half*)src)[i]; break;
            case TensorType.BF16: for (var i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(((ushort*)src)[i] << 16); break;
            case TensorType.Q8_0:
                for (var b = 0; b < dst.Length / 32; b++)
                {
                    var blk = src + b * 34; var d = (float)*(Half*)blk;
                    for (var j = 0; j < 32; j++) dst[b * 32 + j] = d * ((sbyte*)(blk + 2))[j];
                }
                break;
            case TensorType.Q4_0:
                for (var b = 0; b < dst.Length / 32; b++)
                {
                    var blk = src + b * 18; var d = (float)*(Half*)blk;
                    for (var j = 0; j < 16; j++)
                    {
                        dst[b * 32 + j] = d * ((blk[2 + j] & 15) - 8);
                        dst[b * 32 + j + 16] = d * ((blk[2 + j] >> 4) - 8);
                    }
                }
                break;
            default: throw new NotSupportedException(type.ToString());
        }
    }
}
