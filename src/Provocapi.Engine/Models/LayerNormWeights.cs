namespace Provocapi.Engine.Models;

/// <summary>A LayerNorm's scale and shift, each (dim).</summary>
public sealed record LayerNormWeights(float[] Weight, float[] Bias);
