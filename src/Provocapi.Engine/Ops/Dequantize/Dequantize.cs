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

    /// <summary>Row <paramref name="r"/> of <paramref name="w"/> as floats, in either layout: a regrouped matrix's
    /// row (<see cref="Q8_0RowGroups"/>) is gathered back into Q8_0 blocks first.</summary>
    public static void Row(WeightMatrix w, int r, Span<float> dst) => MatrixRow(w, r, dst, reference: false);

    /// <summary>The same with the reference dequantizer, for the kernels' reference twins.</summary>
    public static void RowReference(WeightMatrix w, int r, Span<float> dst) => MatrixRow(w, r, dst, reference: true);

    static void MatrixRow(WeightMatrix w, int r, Span<float> dst, bool reference)
    {
        Span<byte> gathered = w.Grouped ? stackalloc byte[(int)w.RowBytes] : default;
        if (w.Grouped) Q8_0RowGroups.CopyRow(w.Data, r, w.Columns, gathered);
        fixed (byte* copy = gathered)
        {
            var row = w.Grouped ? copy : w.Row(r);
            if (reference) RowReference(w.Type, row, dst);
            else Row(w.Type, row, dst);
        }
    }
}
