namespace Provocapi.Engine.Ops;

/// <summary>Layer normalization (Ba, Kiros and Hinton, 2016), as BERT uses it: y = (x − mean(x)) / sqrt(var(x) + eps) · weight + bias.</summary>
public static partial class LayerNorm
{
    /// <summary>Normalizes each of the <c>x.Length / weight.Length</c> rows of <paramref name="x"/> into <paramref name="y"/> (which may be <paramref name="x"/>).</summary>
    public static void Rows(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        var d = weight.Length;
        for (var r = 0; r < x.Length / d; r++)
            Simd(x.Slice(r * d, d), weight, bias, eps, y.Slice(r * d, d));
    }
}
