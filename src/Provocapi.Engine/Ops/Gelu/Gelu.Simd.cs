using System.Numerics;
using System.Numerics.Tensors;

namespace Provocapi.Engine.Ops;

public static partial class Gelu
{
    // erf(z) ≈ 1 − (a1·t + … + a5·t⁵)·exp(−z²) with t = 1/(1 + p·|z|), |error| ≤ 1.5e-7 (Abramowitz and Stegun 7.1.26).
    const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    /// <summary>Chunked through a small buffer so <paramref name="y"/> may alias <paramref name="x"/>.</summary>
    public static void Simd(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> exp = stackalloc float[256];
        for (var start = 0; start < x.Length; start += exp.Length)
        {
            var n = Math.Min(exp.Length, x.Length - start);
            var xs = x.Slice(start, n);
            var ys = y.Slice(start, n);
            var e = exp[..n];
            // exp(−z²) with z = x/√2
            TensorPrimitives.Multiply(xs, xs, e);
            TensorPrimitives.Multiply(e, -0.5f, e);
            TensorPrimitives.Exp(e, e);
            var i = 0;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(xs[i..]);
                var a = Vector.Abs(v) * 0.70710678f;
                var t = Vector<float>.One / (Vector<float>.One + a * P);
                var poly = t * (new Vector<float>(A1) + t * (new Vector<float>(A2) + t * (new Vector<float>(A3) + t * (new Vector<float>(A4) + t * A5))));
                var erfAbs = Vector<float>.One - poly * new Vector<float>(e[i..]);
                // x·Φ(x) = x/2·(1 + sign(x)·erf(|x|/√2)) = (x + |x|·erf(|x|/√2)) / 2
                (0.5f * (v + Vector.Abs(v) * erfAbs)).CopyTo(ys[i..]);
            }
            for (; i < n; i++)
            {
                var v = xs[i];
                var a = MathF.Abs(v) * 0.70710678f;
                var t = 1 / (1 + P * a);
                var poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
                ys[i] = 0.5f * (v + MathF.Abs(v) * (1 - poly * e[i]));
            }
        }
    }
}
