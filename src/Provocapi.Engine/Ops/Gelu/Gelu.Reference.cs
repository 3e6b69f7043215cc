namespace Provocapi.Engine.Ops;

public static partial class Gelu
{
    public static void Reference(ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++) y[i] = (float)(0.5 * x[i] * (1 + Erf(x[i] / Math.Sqrt(2))));
    }

    /// <summary>erf in double precision: its Maclaurin series below 3, and above it 1 − erfc from erfc's continued
    /// fraction (Abramowitz and Stegun 7.1.5 and 7.1.14), each accurate far beyond float.</summary>
    internal static double Erf(double z)
    {
        var a = Math.Abs(z);
        double value;
        if (a < 3)
        {
            double term = a, sum = a;
            for (var n = 1; n < 100 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            value = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))), evaluated from the tail.
            double fraction = a;
            for (var n = 60; n >= 1; n--) fraction = a + n / 2.0 / fraction;
            value = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / fraction;
        }
        return z < 0 ? -value : value;
    }
}
