namespace Provocapi.Host.Modules.UsageAnalytics.Storage;

/// <summary>
/// Percentiles as ClickHouse's <c>quantileExact</c> defines them, so both stores report the same numbers: of the
/// n values sorted ascending, the q-th is the one at zero-based index floor(q × n), the largest for q × n ≥ n - 1.
/// It is always a value that was measured, never an interpolation.
/// </summary>
public static class ExactPercentiles
{
    public static readonly double[] Levels = [0.5, 0.9, 0.95, 0.99];

    /// <summary>Sorts <paramref name="values"/> in place; null when there are none.</summary>
    public static Percentiles? Of(List<double> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return new Percentiles(At(values, Levels[0]), At(values, Levels[1]), At(values, Levels[2]), At(values, Levels[3]));
    }

    static double At(List<double> sorted, double level) => sorted[(int)Math.Min((long)(level * sorted.Count), sorted.Count - 1)];
}
