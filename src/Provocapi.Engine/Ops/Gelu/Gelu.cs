namespace Provocapi.Engine.Ops;

/// <summary>
/// The exact GELU of BERT's feed-forward block (Hendrycks and Gimpel, 2016; PyTorch's default, transformers' "gelu"):
/// y = x · Φ(x) = x/2 · (1 + erf(x/√2)), not the tanh approximation.
/// </summary>
public static partial class Gelu
{
    public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Simd(x, y);
}
