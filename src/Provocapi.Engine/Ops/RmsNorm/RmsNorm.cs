namespace Provocapi.Engine.Ops;

/// <summary>Root-mean-square layer norm (Zhang and Sennrich, 2019): y = x / sqrt(mean(x²) + eps) · weight.</summary>
public static partial class RmsNorm
{
    /// <summary>Normalizes each of the <c>x.Length / weight.Length</c> rows of <paramref name="x"/> into <paramref name="y"/>.</summary>
    public static void Rows(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> y)
    {
        var d = weight.Length;
        for (var r = 0; r < x.Length / d; r++)
            Simd(x.Slice(r * d, d), weight, eps, y.Slice(r * d, d));
    }
}
