using Provocapi.Engine.Models.Adapters;

namespace Provocapi.Engine.Models;

/// <summary>Activation buffers for one forward step, grown to the largest batch seen and reused.</summary>
public sealed class ForwardScratch
{
    public float[] X = [], Normed = [], Query = [], Key = [], Value = [], Attention = [], Projected = [], Gate = [], Up = [], Logits = [];
    /// <summary>Per token, its adapter's weights for the projection being computed (or null).</summary>
    public readonly List<LoraWeights?> LoraWeights = [];

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
