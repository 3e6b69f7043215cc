namespace Provocapi.Engine.Models.Adapters;

/// <summary>
/// One projection's low-rank update ΔW = Scale·B·A (Hu et al., 2021, "LoRA"), applied as y += Scale·B(A·x) without
/// merging. A is (rank, inputs) row-major as PEFT stores it; B is kept transposed, (rank, outputs), so the expand step
/// adds whole contiguous rows of Bᵀ to the output.
/// </summary>
public sealed class LoraWeights
{
    public int Rank { get; }
    public int Inputs { get; }
    public int Outputs { get; }
    public float Scale { get; }
    /// <summary>(rank, inputs).</summary>
    public float[] A { get; }
    /// <summary>Bᵀ: (rank, outputs).</summary>
    public float[] BTransposed { get; }

    public LoraWeights(float[] a, float[] bTransposed, int rank, int inputs, int outputs, float scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if (a.Length != (long)rank * inputs) throw new ArgumentException($"A holds {a.Length} values, not {rank} × {inputs}");
        if (bTransposed.Length != (long)rank * outputs) throw new ArgumentException($"Bᵀ holds {bTransposed.Length} values, not {rank} × {outputs}");
        A = a;
        BTransposed = bTransposed;
        Rank = rank;
        Inputs = inputs;
        Outputs = outputs;
        Scale = scale;
    }

    public long ByteSize => (A.LongLength + BTransposed.LongLength) * sizeof(float);

    /// <summary>B[o, r], read through the transposed layout (for references and merging).</summary>
    public float B(int output, int r) => BTransposed[r * Outputs + output];
}
