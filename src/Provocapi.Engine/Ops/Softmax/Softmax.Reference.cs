namespace Provocapi.Engine.Ops;

public static partial class Softmax
{
    public static void Reference(Span<float> x)
    {
        double max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        double sum = 0;
        for (var i = 0; i < x.Length; i++) sum += Math.Exp(x[i] - max);
        for (var i = 0; i < x.Length; i++) x[i] = (float)(Math.Exp(x[i] - max) / sum);
    }
}
