namespace Provocapi.Engine.Ops;

/// <summary>Numerically stable softmax: exp(x − max) / Σ exp(x − max).</summary>
public static partial class Softmax
{
    public static void InPlace(Span<float> x) => Simd(x);
}
