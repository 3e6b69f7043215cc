using System.Globalization;
using System.Numerics;

namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// The multiples of <see cref="Step"/> from <see cref="Min"/> to <see cref="Max"/>, both included, counted in units of
/// 10^-15, the finest fraction a matcher writes: a decimal bound such as 0.1 is exact here where a double is not. An
/// integer's step is a multiple of one (<see cref="One"/> units), a schema's <c>multipleOf</c> any multiple of a unit.
/// A matcher's magnitudes stay below 10^15, 10^30 units, so Int128 holds every value it writes and every bound held
/// just past them. Compared by reference: one schema node's states share one range.
/// </summary>
public sealed class NumberRange
{
    // First: the fields below read it as they start.
    static readonly Int128[] Powers = [.. Enumerable.Range(0, 31).Select(n => Enumerable.Repeat((Int128)10, n).Aggregate((Int128)1, (p, ten) => p * ten))];

    /// <summary>Units in one.</summary>
    public static readonly Int128 One = PowerOfTen(NumberMatcher.MaxFractionDigits);

    /// <summary>Just past the largest magnitude a matcher writes.</summary>
    public static readonly Int128 Limit = PowerOfTen(NumberMatcher.MaxIntegerDigits + NumberMatcher.MaxFractionDigits);

    /// <summary>For j fraction digits, the step of the values both written with them and multiples of <see cref="Step"/>.</summary>
    readonly Int128[] _stepWithFraction;

    public NumberRange(Int128 min, Int128 max, Int128 step)
    {
        (Min, Max, Step) = (min, max, step);
        _stepWithFraction = [.. Enumerable.Range(0, NumberMatcher.MaxFractionDigits + 1).Select(j => CommonStep(PowerOfTen(NumberMatcher.MaxFractionDigits - j), step))];
    }

    public Int128 Min { get; }
    public Int128 Max { get; }
    public Int128 Step { get; }

    public bool Contains(Int128 value) => value >= Min && value <= Max && value % Step == 0;

    /// <summary>Whether the range holds a value in [<paramref name="low"/>, <paramref name="high"/>] written with
    /// <paramref name="fractionDigits"/> fraction digits (trailing zeros allowed).</summary>
    public bool HasMultiple(Int128 low, Int128 high, int fractionDigits)
    {
        var from = Int128.Max(low, Min);
        var to = Int128.Min(high, Max);
        if (from > to) return false;
        // Past every value written, only zero is a multiple.
        var step = _stepWithFraction[fractionDigits];
        if (step == Limit) return from <= 0 && to >= 0;
        // The first multiple at or above from (the remainder takes the sign of from).
        var remainder = from % step;
        var first = remainder == 0 ? from : remainder > 0 ? from - remainder + step : from - remainder;
        return first <= to;
    }

    /// <summary>The least common multiple of two steps, or <see cref="Limit"/> when it is that or more: nothing but
    /// zero is written as a multiple of it then.</summary>
    public static Int128 CommonStep(Int128 a, Int128 b)
    {
        var factor = a / Gcd(a, b);
        return factor >= (Limit + b - 1) / b ? Limit : factor * b;
    }

    static Int128 Gcd(Int128 a, Int128 b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    public static Int128 PowerOfTen(int n) => Powers[n];

    /// <summary>
    /// A JSON number's value in units, read from its digits (no double or decimal on the way, so 0.1, 1e-400 and a
    /// bound of 30 significant digits are what they say), rounded up or down to a unit, and whether it was one
    /// already. A magnitude of <see cref="Limit"/> or more is held at ±<see cref="Limit"/>, past what a matcher writes.
    /// </summary>
    public static (Int128 Value, bool Exact) Units(string json, bool up)
    {
        var negative = json.StartsWith('-');
        var exponentAt = json.IndexOfAny(['e', 'E']);
        var mantissa = (exponentAt < 0 ? json : json[..exponentAt]).TrimStart('-');
        var dot = mantissa.IndexOf('.');
        var digits = (dot < 0 ? mantissa : mantissa.Remove(dot, 1)).TrimStart('0');
        if (digits.Length == 0) return (0, true);
        // Past a million either way the value is beyond the limit or below a unit whatever its digits.
        long exponent = 0;
        if (exponentAt >= 0)
            exponent = long.TryParse(json.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e)
                ? Math.Clamp(e, -1_000_000, 1_000_000)
                : json[exponentAt + 1] == '-' ? -1_000_000 : 1_000_000;
        // units = digits · 10^shift
        var shift = exponent - (dot < 0 ? 0 : mantissa.Length - dot - 1) + NumberMatcher.MaxFractionDigits;
        var held = negative ? -Limit : Limit;
        if (digits.Length + shift > 31) return (held, true);
        var significand = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        BigInteger magnitude;
        bool exact;
        if (shift >= 0) (magnitude, exact) = (significand * BigInteger.Pow(10, (int)shift), true);
        else if (-shift > digits.Length) (magnitude, exact) = (0, false);
        else
        {
            magnitude = BigInteger.DivRem(significand, BigInteger.Pow(10, (int)-shift), out var rest);
            exact = rest.IsZero;
        }
        var value = negative ? -magnitude : magnitude;
        // The magnitude was cut towards zero: rounding away from it is one unit more.
        if (!exact && up != negative) value += negative ? -1 : 1;
        return BigInteger.Abs(value) >= (BigInteger)Limit ? (held, true) : ((Int128)value, exact);
    }
}
