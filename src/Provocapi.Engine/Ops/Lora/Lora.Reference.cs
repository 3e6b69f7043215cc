using Provocapi.Engine.Models.Adapters;

namespace Provocapi.Engine.Ops;

public static partial class Lora
{
    /// <summary>The slow, obvious twin of <see cref="Apply"/>: per token, y[o] += s·Σ_r B[o, r]·Σ_c A[r, c]·x[c], in double.</summary>
    public static void ApplyReference(IReadOnlyList<LoraWeights?> weights, ReadOnlySpan<float> x, Span<float> y, int inputs, int outputs)
    {
        CheckShapes(weights, x.Length, y.Length, inputs, outputs);
        for (var t = 0; t < weights.Count; t++)
        {
            if (weights[t] is not { } w) continue;
            var shrunk = new double[w.Rank];
            for (var r = 0; r < w.Rank; r++)
                for (var c = 0; c < inputs; c++)
                    shrunk[r] += (double)w.AValue(r, c) * x[t * inputs + c];
            for (var o = 0; o < outputs; o++)
            {
                double delta = 0;
                for (var r = 0; r < w.Rank; r++) delta += w.B(o, r) * shrunk[r];
                y[t * outputs + o] = (float)(y[t * outputs + o] + w.Scale * delta);
            }
        }
    }
}
