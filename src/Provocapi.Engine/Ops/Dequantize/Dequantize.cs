using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>Turns one row of weights stored in any supported <see cref="TensorType"/> into floats.</summary>
public static unsafe partial class Dequantize
{
    /// <summary>Dequantizes <c>dst.Length</c> elements (whole blocks) starting at <paramref name="src"/>.</summary>
    public static void Row(TensorType type, byte* src, Span<float> dst)
    {
        if (Avx2.IsSupported && Fma.IsSupported) RowSimd(type, src, dst);
        else RowReference(type, src, dst);
    }
}
