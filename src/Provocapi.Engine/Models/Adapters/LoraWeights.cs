using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models.Adapters;

/// <summary>
/// One projection's low-rank update ΔW = Scale·B·A (Hu et al., 2021, "LoRA"), applied as y += Scale·B(A·x) without
/// merging. A is (rank, inputs) row-major as PEFT stores it; B is kept in chunks of eight outputs (<see cref="BChunks"/>), so
/// the expand step reads it as one sequential stream and sums every rank for eight outputs in a register. Both are held as F16: adapters are trained and shipped in 16 bits,
/// and with one token per adapter in a decode step the kernel's cost is reading them, so half the bytes is half the cost.
/// </summary>
public sealed class LoraWeights
{
    /// <summary>The largest finite F16.</summary>
    public const float MaxValue = 65504f;

    public int Rank { get; }
    public int Inputs { get; }
    public int Outputs { get; }
    public float Scale { get; }
    /// <summary>A as F16 bits: (rank, inputs).</summary>
    public ushort[] A { get; }
    /// <summary>Outputs per chunk of <see cref="BChunks"/>.</summary>
    public const int ChunkOutputs = 8;

    /// <summary>B as F16 bits, in chunks of eight outputs: chunk c holds, rank by rank, B[8c .. 8c+7, r] (the last
    /// chunk padded with zeros), at (c·Rank + r)·8.</summary>
    public ushort[] BChunks { get; }

    /// <summary>Rounds <paramref name="a"/> and <paramref name="bTransposed"/> to F16; every value must be finite and within F16's range.</summary>
    public LoraWeights(float[] a, float[] bTransposed, int rank, int inputs, int outputs, float scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if (a.Length != (long)rank * inputs) throw new ArgumentException($"A holds {a.Length} values, not {rank} × {inputs}");
        if (bTransposed.Length != (long)rank * outputs) throw new ArgumentException($"Bᵀ holds {bTransposed.Length} values, not {rank} × {outputs}");
        A = ToHalves(a, nameof(a));
        var halves = ToHalves(bTransposed, nameof(bTransposed));
        BChunks = new ushort[(outputs + ChunkOutputs - 1) / ChunkOutputs * ChunkOutputs * rank];
        for (var r = 0; r < rank; r++)
            for (var o = 0; o < outputs; o++)
                BChunks[ChunkIndex(o, r, rank)] = halves[r * outputs + o];
        Rank = rank;
        Inputs = inputs;
        Outputs = outputs;
        Scale = scale;
    }

    static ushort[] ToHalves(float[] values, string name)
    {
        var halves = new ushort[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (!(Math.Abs(values[i]) <= MaxValue)) throw new ArgumentException($"{name}[{i}] = {values[i]} is not a finite F16 value", name);
            halves[i] = Float16.FromSingle(values[i]);
        }
        return halves;
    }

    public long ByteSize => (A.LongLength + BChunks.LongLength) * sizeof(ushort);

    /// <summary>A[r, c] as a float.</summary>
    public float AValue(int r, int column) => Float16.ToSingle(A[r * Inputs + column]);

    /// <summary>B[o, r], read through the chunked layout (for references and merging).</summary>
    public float B(int output, int r) => Float16.ToSingle(BChunks[ChunkIndex(output, r, Rank)]);

    /// <summary>Where B[output, r] sits in <see cref="BChunks"/>.</summary>
    internal static int ChunkIndex(int output, int r, int rank) => (output / ChunkOutputs * rank + r) * ChunkOutputs + output % ChunkOutputs;
}
