using System.Numerics.Tensors;

namespace Provocapi.Engine.Ops;

public static partial class LayerNorm
{
    /// <summary>Two passes (mean, then the variance of the centred values) rather than E[x²] − E[x]², which cancels badly when the mean is large.</summary>
    public static void Simd(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        var mean = TensorPrimitives.Sum(x) / x.Length;
        TensorPrimitives.Subtract(x, mean, y);
        var scale = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(y) / x.Length + eps);
        TensorPrimitives.Multiply(y, scale, y);
        TensorPrimitives.FusedMultiplyAdd(y, weight, bias, y);
    }
}
