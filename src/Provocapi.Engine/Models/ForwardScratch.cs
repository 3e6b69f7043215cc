using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Models;

/// <summary>Activation buffers for one forward step, grown to the largest batch seen and reused.</summary>
public sealed class ForwardScratch
{
    public float[] X = [], Normed = [], Query = [], Key = [], Value = [], Attention = [], Projected = [], Gate = [], Up = [], Logits = [];
    /// <summary>For each projection of a fused LoRA call (up to q, k and v): per token, its adapter's weights (or null).</summary>
    public readonly List<LoraWeights?>[] LoraWeights = [[], [], []];

    /// <summary>The projections of a fused LoRA call that have any adapter weights.</summary>
    public readonly Lora.Target[] LoraTargets = new Lora.Target[3];

    public void Ensure(TransformerConfig c, int tokens, int logitTokens)
    {
        Grow(ref X, tokens * c.EmbeddingDim);
        Grow(ref Normed, tokens * c.EmbeddingDim);
        Grow(ref Query, tokens * c.QueryDim);
        Grow(ref Key, tokens * c.KvDim);
        Grow(ref Value, tokens * c.KvDim);
        Grow(ref Attention, tokens * c.QueryDim);
        Grow(ref Projected, tokens * c.EmbeddingDim);
        Grow(ref Gate, tokens * c.FeedForwardDim);
        Grow(ref Up, tokens * c.FeedForwardDim);
        Grow(ref Logits, logitTokens * c.VocabSize);
    }

    static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
    }
}
