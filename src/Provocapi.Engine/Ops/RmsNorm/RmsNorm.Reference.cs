namespace Provocapi.Engine.Ops;

public static partial class RmsNorm
{
    public static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> y)
    {
        double sum = 0;
        foreach (var v in x) sum += (double)v * v;
        var scale = 1.0 / Math.Sqrt(sum / x.Length + eps);
        for (var i = 0; i < x.Length; i++) y[i] = (float)(x[i] * scale * weight[i]);
    }
}
