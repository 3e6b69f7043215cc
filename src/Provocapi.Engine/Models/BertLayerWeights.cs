using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models;

/// <summary>One encoder block's weights (post-norm: LayerNorm after each residual). Matrices are (out, in), every one with a bias.</summary>
public sealed record BertLayerWeights(
    WeightMatrix Query,                 // (dim, dim)
    float[] QueryBias,                  // (dim)
    WeightMatrix Key,                   // (dim, dim)
    float[] KeyBias,
    WeightMatrix Value,                 // (dim, dim)
    float[] ValueBias,
    WeightMatrix Output,                // (dim, dim)
    float[] OutputBias,
    LayerNormWeights AttentionNorm,     // after attention + residual
    WeightMatrix Up,                    // (ffn, dim)
    float[] UpBias,                     // (ffn)
    WeightMatrix Down,                  // (dim, ffn)
    float[] DownBias,
    LayerNormWeights OutputNorm);       // after the feed-forward block + residual
