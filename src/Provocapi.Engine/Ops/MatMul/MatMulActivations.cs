using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>How <see cref="MatMul"/> wants the activations for a given weight type.</summary>
public enum ActivationLayout
{
    /// <summary>Plain floats: float weights, and the types that go through dequantize-a-row.</summary>
    Floats,

    /// <summary>int8 blocks of 32 with a float scale (Q8_0/Q4_0/Q5_0 weights; see <see cref="Quantize.ActivationBlocks"/>).</summary>
    Blocks,

    /// <summary>int8 super-blocks of 256 with a float scale and sums of 16 (K-quant weights; see <see cref="Quantize.ActivationSuperBlocks"/>).</summary>
    SuperBlocks,
}

/// <summary>
/// The right-hand side of a matrix multiply, converted once per call into the layout the weight type's kernel reads
/// (quantizing the activations once, as llama.cpp does, lets the kernels use integer dot products). Rows are tokens.
/// The buffers are pinned and reused across calls, growing as needed.
/// </summary>
public sealed unsafe class MatMulActivations
{
    byte[] _buffer = [];
    byte* _base;

    public ActivationLayout Layout { get; private set; }
    public int Tokens { get; private set; }
    public int Columns { get; private set; }

    /// <summary>Token t's floats at Floats + t·Columns (layout <see cref="ActivationLayout.Floats"/>).</summary>
    public float* Floats { get; private set; }

    /// <summary>Token t's int8 values at Quants + t·Columns.</summary>
    public sbyte* Quants { get; private set; }

    /// <summary>Token t's block scales at Scales + t·BlocksPerToken.</summary>
    public float* Scales { get; private set; }

    /// <summary>Token t's sums of 16 at GroupSums + t·Columns/16 (super-blocks only).</summary>
    public short* GroupSums { get; private set; }

    public int BlocksPerToken { get; private set; }

    public static ActivationLayout LayoutFor(TensorType weightType)
    {
        if (!Avx2.IsSupported || !Fma.IsSupported) return ActivationLayout.Floats;
        return weightType switch
        {
            TensorType.Q8_0 or TensorType.Q4_0 or TensorType.Q5_0 => ActivationLayout.Blocks,
            TensorType.Q4_K or TensorType.Q6_K => ActivationLayout.SuperBlocks,
            _ => ActivationLayout.Floats,
        };
    }

    /// <summary>Converts <paramref name="tokens"/> rows of <paramref name="columns"/> floats for weights of <paramref name="weightType"/>.</summary>
    public void Prepare(TensorType weightType, ReadOnlySpan<float> x, int tokens, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (x.Length != (long)tokens * columns) throw new ArgumentException($"{x.Length} activations for {tokens} tokens of {columns} columns");
        Layout = LayoutFor(weightType);
        Tokens = tokens;
        Columns = columns;
        var values = (long)tokens * columns;
        switch (Layout)
        {
            case ActivationLayout.Floats:
                Reserve(values * sizeof(float));
                Floats = (float*)_base;
                x.CopyTo(new Span<float>(Floats, x.Length));
                break;
            case ActivationLayout.Blocks:
                BlocksPerToken = columns / Quantize.ActivationBlock;
                var blocks = values / Quantize.ActivationBlock;
                Reserve(values + blocks * sizeof(float));
                Scales = (float*)_base;
                Quants = (sbyte*)(Scales + blocks);
                for (var t = 0; t < tokens; t++)
                    Quantize.ActivationBlocks(x.Slice(t * columns, columns), new Span<sbyte>(Quants + (long)t * columns, columns),
                        new Span<float>(Scales + (long)t * BlocksPerToken, BlocksPerToken));
                break;
            case ActivationLayout.SuperBlocks:
                BlocksPerToken = columns / Quantize.ActivationSuperBlock;
                var groups = columns / Quantize.ActivationGroup;
                Reserve(values + values / Quantize.ActivationSuperBlock * sizeof(float) + values / Quantize.ActivationGroup * sizeof(short));
                Scales = (float*)_base;
                GroupSums = (short*)(_base + values / Quantize.ActivationSuperBlock * sizeof(float));
                Quants = (sbyte*)(GroupSums + values / Quantize.ActivationGroup);
                for (var t = 0; t < tokens; t++)
                    Quantize.ActivationSuperBlocks(x.Slice(t * columns, columns), new Span<sbyte>(Quants + (long)t * columns, columns),
                        new Span<float>(Scales + (long)t * BlocksPerToken, BlocksPerToken), new Span<short>(GroupSums + (long)t * groups, groups));
                break;
        }
    }

    void Reserve(long bytes)
    {
        // Vector loads of 32 bytes start anywhere inside; 64 bytes of slack keep the last ones inside the array.
        bytes += 64;
        if (_buffer.Length >= bytes) return;
        if (bytes > Array.MaxLength) throw new ArgumentException($"{Tokens} tokens of {Columns} activations are too many for one call; split the batch");
        _buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(bytes, _buffer.Length * 3L / 2)), pinned: true);
        fixed (byte* p = _buffer) _base = p;
    }
}
