namespace Provocapi.Engine.Models.Adapters;

/// <summary>
/// A loaded LoRA adapter for one base model: per layer and projection, the low-rank update or none. Immutable and
/// shared by every sequence that uses it; several adapters run side by side in one batch (see <see cref="Ops.Lora"/>).
/// </summary>
public sealed class LoraAdapter
{
    readonly LoraWeights?[] _weights;

    public string Name { get; }
    public int Rank { get; }
    public float Alpha { get; }
    /// <summary>rsLoRA (Kalajdzievski, 2023) scales by alpha/√r instead of alpha/r.</summary>
    public bool UseRsLora { get; }
    public float Scale { get; }
    public IReadOnlyList<LoraProjection> Targets { get; }
    public int LayerCount { get; }
    public long ByteSize { get; }

    public LoraAdapter(string name, int rank, float alpha, bool useRsLora, int layerCount, LoraWeights?[] weights)
    {
        if (weights.Length != layerCount * LoraProjections.Count) throw new ArgumentException($"{weights.Length} slots for {layerCount} layers");
        Name = name;
        Rank = rank;
        Alpha = alpha;
        UseRsLora = useRsLora;
        Scale = ScaleFor(rank, alpha, useRsLora);
        LayerCount = layerCount;
        _weights = weights;
        Targets = LoraProjections.All.Where(p => Enumerable.Range(0, layerCount).Any(l => weights[l * LoraProjections.Count + (int)p] != null)).ToArray();
        ByteSize = weights.Sum(w => w?.ByteSize ?? 0);
    }

    /// <summary>alpha/r, or alpha/√r with rsLoRA.</summary>
    public static float ScaleFor(int rank, float alpha, bool useRsLora) => useRsLora ? alpha / MathF.Sqrt(rank) : alpha / rank;

    public LoraWeights? Weights(int layer, LoraProjection projection) => _weights[layer * LoraProjections.Count + (int)projection];
}
