namespace Provocapi.Engine.Ops;

public static partial class LayerNorm
{
    public static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        double variance = 0;
        foreach (var v in x) variance += (v - mean) * (v - mean);
        variance /= x.Length;
        var scale = 1.0 / Math.Sqrt(variance + eps);
        for (var i = 0; i < x.Length; i++) y[i] = (float)((x[i] - mean) * scale * weight[i] + bias[i]);
    }
}
