using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models;

/// <summary>One decoder block's weights. Matrices are (out, in); biases only for Qwen2-style attention.</summary>
public sealed record LlamaLayerWeights(
    float[] AttentionNorm,      // (dim)
    WeightMatrix Query,         // (heads·headDim, dim)
    WeightMatrix Key,           // (kvHeads·headDim, dim)
    WeightMatrix Value,         // (kvHeads·headDim, dim)
    WeightMatrix Output,        // (dim, heads·headDim)
    float[]? QueryBias,
    float[]? KeyBias,
    float[]? ValueBias,
    float[] FeedForwardNorm,    // (dim)
    WeightMatrix Gate,          // (ffn, dim)
    WeightMatrix Up,            // (ffn, dim)
    WeightMatrix Down);         // (dim, ffn)
