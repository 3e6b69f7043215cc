using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops.Quantize;

public static unsafe class Quantize
{
    public static void Row(TensorType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        switch (type)
        {
            case TensorType.F32: System.Runtime.InteropServices.MemoryMarshal.AsBytes(src).CopyTo(dst); break;
            case TensorType.F16: for (var i = 0; i < src.Length; i++) System.Runtime.InteropServices.MemoryMarshal.Write(dst[(2 * i)..], (Half)src[i]); break;
            case TensorType.Q8_0:
                for (var b = 0; b < src.Length / 32; b++)
                {
                    var blk = src.Slice(b * 32, 32); float amax = 0; foreach (var v in blk) amax = Math.Max(amax, Math.Abs(v));
                    var d = amax / 127; var id = d != 0 ? 1 / d : 0;
                    System.Runtime.InteropServices.MemoryMarshal.Write(dst[(b * 34)..], (Half)d);
                    for (var j = 0; j < 32; j++) dst[b * 34 + 2 + j] = (byte)(sbyte)Math.Round(blk[j] * id);
                }
                break;
            default: throw new NotSupportedException(type.ToString());
        }
    }
}
