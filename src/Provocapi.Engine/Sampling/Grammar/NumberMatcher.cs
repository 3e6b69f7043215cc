namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON number (an integer when the schema says so): <c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>,
/// with digit counts bounded so a weak model cannot write digits forever and every value fits a double. A number with
/// a <see cref="Range"/> (minimum, maximum, multipleOf) keeps the value written so far and takes a byte only when some
/// completion of it still lies in the range; it is written without an exponent, so its value is exact. Unbounded
/// numbers keep nothing, so they share their states.
/// </summary>
public sealed record NumberMatcher(bool Integer, NumberMatcher.Phase At = NumberMatcher.Phase.Start, int Digits = 0,
    NumberRange? Range = null, bool Negative = false, long Magnitude = 0, long Fraction = 0) : JsonMatcher
{
    public const int MaxIntegerDigits = 15, MaxFractionDigits = 15, MaxExponentDigits = 2;

    public enum Phase : byte { Start, Minus, Zero, Whole, Dot, Fraction, Exponent, ExponentSign, ExponentDigits }

    public static NumberMatcher For(NumberNode node) => new(node.IsInteger, Range: node.Range);

    bool Bounded => Range != null;

    public override JsonMatcher? Step(byte b)
    {
        var digit = b is >= (byte)'0' and <= (byte)'9';
        switch (At)
        {
            case Phase.Start:
                if (b == '-') return Within(this with { At = Phase.Minus, Negative = Bounded });
                goto case Phase.Minus;
            case Phase.Minus:
                if (b == '0') return Within(this with { At = Phase.Zero });
                return digit ? Within(this with { At = Phase.Whole, Digits = 1, Magnitude = Bounded ? b - '0' : 0 }) : null;
            case Phase.Zero:
                return Fractional(b);
            case Phase.Whole:
                if (digit)
                    return Digits < MaxIntegerDigits
                        ? Within(this with { Digits = Digits + 1, Magnitude = Bounded ? Magnitude * 10 + (b - '0') : 0 })
                        : null;
                return Fractional(b);
            case Phase.Dot:
                return digit ? Within(this with { At = Phase.Fraction, Digits = 1, Fraction = Bounded ? b - '0' : 0 }) : null;
            case Phase.Fraction:
                if (digit) return Digits < MaxFractionDigits ? Within(this with { Digits = Digits + 1, Fraction = Bounded ? Fraction * 10 + (b - '0') : 0 }) : null;
                return b is (byte)'e' or (byte)'E' && !Bounded ? this with { At = Phase.Exponent, Digits = 0 } : null;
            case Phase.Exponent:
                if (b is (byte)'+' or (byte)'-') return this with { At = Phase.ExponentSign };
                goto case Phase.ExponentSign;
            case Phase.ExponentSign:
                return digit ? this with { At = Phase.ExponentDigits, Digits = 1 } : null;
            case Phase.ExponentDigits:
                return digit && Digits < MaxExponentDigits ? this with { Digits = Digits + 1 } : null;
            default:
                return null;
        }
    }

    /// <summary>The state, if its value can still end in the range.</summary>
    NumberMatcher? Within(NumberMatcher next) => next.Range is not { } range || next.CanReach(range) ? next : null;

    JsonMatcher? Fractional(byte b) => Integer ? null : b switch
    {
        (byte)'.' => Within(this with { At = Phase.Dot, Digits = 0 }),
        (byte)'e' or (byte)'E' when !Bounded => this with { At = Phase.Exponent, Digits = 0 },
        _ => null,
    };

    bool Written => At is Phase.Zero or Phase.Whole or Phase.Fraction or Phase.ExponentDigits;

    public override bool CanEnd => Written && (Range is not { } range || range.Contains(Negative ? -WrittenUnits : WrittenUnits));

    public override int MinRemaining => CanEnd ? 0 : Range is { } range ? BytesToRange(range) : 1;

    /// <summary>The magnitude written so far, in units of 10^-15.</summary>
    Int128 WrittenUnits => Magnitude * NumberRange.One
        + (At == Phase.Fraction ? Fraction * NumberRange.PowerOfTen(MaxFractionDigits - Digits) : 0);

    /// <summary>Integer digits that may still follow: only while the integer part is being written.</summary>
    int MoreIntegerDigits => At == Phase.Whole ? MaxIntegerDigits - Digits : 0;

    /// <summary>
    /// The magnitudes reachable with <paramref name="k"/> more integer digits, in units: the integer part times 10^k
    /// plus any k digits, then any fraction; once in the fraction, what its digits so far leave open.
    /// </summary>
    (Int128 Low, Int128 High) Reachable(int k)
    {
        if (At == Phase.Fraction) return (WrittenUnits, WrittenUnits + NumberRange.PowerOfTen(MaxFractionDigits - Digits) - 1);
        var scale = NumberRange.PowerOfTen(k);
        return (Magnitude * scale * NumberRange.One, (Magnitude + 1) * scale * NumberRange.One - 1);
    }

    /// <summary>Whether the range holds a value among the magnitudes [low, high], with the sign written, that
    /// <paramref name="fractionDigits"/> fraction digits write.</summary>
    bool Hits(NumberRange range, (Int128 Low, Int128 High) magnitudes, int fractionDigits) =>
        Negative ? range.HasMultiple(-magnitudes.High, -magnitudes.Low, fractionDigits) : range.HasMultiple(magnitudes.Low, magnitudes.High, fractionDigits);

    /// <summary>Whether some completion ends in the range: any multiple of a unit is written with 15 fraction digits at
    /// most (an integer's range holds multiples of one only).</summary>
    bool CanReach(NumberRange range)
    {
        if (At is Phase.Start or Phase.Minus)
            return Hits(range, (0, NumberRange.Limit - 1), MaxFractionDigits)
                || (At == Phase.Start && range.HasMultiple(-(NumberRange.Limit - 1), 0, MaxFractionDigits));
        for (var k = 0; k <= MoreIntegerDigits; k++)
            if (Hits(range, Reachable(k), MaxFractionDigits)) return true;
        return false;
    }

    /// <summary>
    /// The fewest bytes that end the number in the range, or -1 when none do: k more integer digits, then j fraction
    /// digits in all (a fraction costs its dot, unless written; an integer has none), the first j whose grid of 10^-j
    /// hits the range. Before the first digit, the cheapest sign and first digit are tried.
    /// </summary>
    int BytesToRange(NumberRange range)
    {
        if (At is Phase.Start or Phase.Minus)
        {
            var best = -1;
            if (At == Phase.Start) best = Plus((this with { At = Phase.Minus, Negative = true }).BytesToRange(range), 1, best);
            best = Plus((this with { At = Phase.Zero }).BytesToRange(range), 1, best);
            for (var d = 1; d <= 9; d++)
                best = Plus((this with { At = Phase.Whole, Digits = 1, Magnitude = d }).BytesToRange(range), 1, best);
            return best;
        }
        var shortest = -1;
        var firstFraction = At switch { Phase.Dot => 1, Phase.Fraction => Digits, _ => 0 };
        var lastFraction = Integer ? 0 : MaxFractionDigits;
        for (var k = 0; k <= MoreIntegerDigits && (shortest < 0 || k < shortest); k++)
        {
            var magnitudes = Reachable(k);
            for (var j = firstFraction; j <= lastFraction; j++)
            {
                if (!Hits(range, magnitudes, j)) continue;
                var cost = k + (At == Phase.Fraction ? j - Digits : At == Phase.Dot ? j : j == 0 ? 0 : 1 + j);
                if (shortest < 0 || cost < shortest) shortest = cost;
                break;
            }
        }
        return shortest;
    }

    /// <summary>The lesser of <paramref name="best"/> and <paramref name="bytes"/> + <paramref name="extra"/>, where -1 is none.</summary>
    static int Plus(int bytes, int extra, int best) => bytes < 0 ? best : best < 0 ? bytes + extra : Math.Min(best, bytes + extra);
}
