namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// The numbers from <see cref="Min"/> to <see cref="Max"/>, both included, counted in units of 10^-15, the finest
/// fraction a matcher writes: a decimal bound such as 0.1 is exact here where a double is not. A matcher's magnitudes
/// stay below 10^15, 10^30 units, so Int128 holds every value it writes and every bound held just past them.
/// </summary>
public sealed record DecimalRange(Int128 Min, Int128 Max)
{
    // First: the fields below read it as they start.
    static readonly Int128[] Powers = [.. Enumerable.Range(0, 31).Select(n => Enumerable.Repeat((Int128)10, n).Aggregate((Int128)1, (p, ten) => p * ten))];

    /// <summary>Units in one.</summary>
    public static readonly Int128 One = PowerOfTen(NumberMatcher.MaxFractionDigits);

    /// <summary>Just past the largest magnitude a matcher writes.</summary>
    public static readonly Int128 Limit = PowerOfTen(NumberMatcher.MaxIntegerDigits + NumberMatcher.MaxFractionDigits);

    public bool Contains(Int128 value) => value >= Min && value <= Max;

    /// <summary>Whether some multiple of <paramref name="step"/> in [<paramref name="low"/>, <paramref name="high"/>] is in the range.</summary>
    public bool HasMultiple(Int128 low, Int128 high, Int128 step)
    {
        var from = Int128.Max(low, Min);
        var to = Int128.Min(high, Max);
        if (from > to) return false;
        // The first multiple at or above from (the remainder takes the sign of from).
        var remainder = from % step;
        var first = remainder == 0 ? from : remainder > 0 ? from - remainder + step : from - remainder;
        return first <= to;
    }

    public static Int128 PowerOfTen(int n) => Powers[n];
}
