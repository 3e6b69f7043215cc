using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// Float rows to stored weight types (for building test data and synthetic models), and the 8-bit activation blocks
/// that <see cref="MatMul"/> multiplies quantized weights with.
/// </summary>
public static partial class Quantize
{
    /// <summary>Activations of a matrix multiply with Q8_0/Q4_0 weights: blocks of 32 int8 with one float scale each.</summary>
    public const int ActivationBlock = 32;

    /// <summary>Activations of a matrix multiply with K-quant weights: blocks of 256 int8 with a float scale and the sum
    /// of every 16 values, which carries the K-quants' mins and offsets (like ggml's block_q8_K).</summary>
    public const int ActivationSuperBlock = 256;

    public const int ActivationGroup = 16;

    /// <summary>Quantizes <c>src.Length</c> floats (whole blocks) into <paramref name="dst"/>, which must hold exactly
    /// <see cref="TensorTypeInfo.RowBytes"/> bytes.</summary>
    public static void Row(TensorType type, ReadOnlySpan<float> src, Span<byte> dst) => RowReference(type, src, dst);

    /// <summary>x ≈ scales[b]·qs[i] with b = i / 32; scale = max|x| / 127 per block, rounded to nearest even.</summary>
    public static void ActivationBlocks(ReadOnlySpan<float> x, Span<sbyte> qs, Span<float> scales)
    {
        CheckActivations(x.Length, qs.Length, scales.Length, ActivationBlock);
        if (Avx2.IsSupported) ActivationBlocksSimd(x, qs, scales);
        else ActivationBlocksReference(x, qs, scales);
    }

    /// <summary>Super-blocks of 256 as <see cref="ActivationBlocks"/>, plus groupSums[g] = Σ qs over group g of 16.</summary>
    public static void ActivationSuperBlocks(ReadOnlySpan<float> x, Span<sbyte> qs, Span<float> scales, Span<short> groupSums)
    {
        CheckActivations(x.Length, qs.Length, scales.Length, ActivationSuperBlock);
        if (groupSums.Length != x.Length / ActivationGroup) throw new ArgumentException($"{groupSums.Length} group sums for {x.Length} values; expected {x.Length / ActivationGroup}");
        if (Avx2.IsSupported) ActivationSuperBlocksSimd(x, qs, scales, groupSums);
        else ActivationSuperBlocksReference(x, qs, scales, groupSums);
    }

    static void CheckActivations(int values, int quants, int scales, int block)
    {
        if (values % block != 0) throw new ArgumentException($"{values} activations are not a whole number of blocks of {block}");
        if (quants != values || scales != values / block)
            throw new ArgumentException($"{values} activations need {values} quants and {values / block} scales, not {quants} and {scales}");
    }
}
