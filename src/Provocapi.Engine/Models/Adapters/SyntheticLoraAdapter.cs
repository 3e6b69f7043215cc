namespace Provocapi.Engine.Models.Adapters;

/// <summary>A random LoRA adapter on every projection of a model shape, to measure serving with adapters without files (as <see cref="SyntheticModel"/> does for base models).</summary>
public static class SyntheticLoraAdapter
{
    public static LoraAdapter Create(TransformerConfig c, int rank, int seed, string? name = null)
    {
        var random = new Random(seed);
        float[] Values(int count, int fanIn) => Enumerable.Range(0, count).Select(_ => (random.NextSingle() * 2 - 1) / MathF.Sqrt(fanIn)).ToArray();
        var alpha = 2f * rank;
        var scale = LoraAdapter.ScaleFor(rank, alpha, useRsLora: false);
        var weights = new LoraWeights?[c.LayerCount * LoraProjections.Count];
        for (var layer = 0; layer < c.LayerCount; layer++)
            foreach (var p in LoraProjections.All)
            {
                var (outputs, inputs) = LoraProjections.Shape(p, c);
                weights[layer * LoraProjections.Count + (int)p] = new LoraWeights(Values(rank * inputs, inputs), Values(rank * outputs, rank), rank, inputs, outputs, scale);
            }
        return new LoraAdapter(name ?? $"synthetic-r{rank}-{seed}", rank, alpha, useRsLora: false, c.LayerCount, weights);
    }
}
