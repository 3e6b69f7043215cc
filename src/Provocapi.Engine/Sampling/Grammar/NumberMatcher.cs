namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON number (an integer when the schema says so): <c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>,
/// with digit counts bounded so a weak model cannot write digits forever and every value fits a double. An integer
/// with bounds (minimum, maximum) keeps the value written so far and takes a byte only when some completion of it
/// still lies within them; unbounded numbers keep nothing, so they share their states.
/// </summary>
public sealed record NumberMatcher(bool Integer, NumberMatcher.Phase At = NumberMatcher.Phase.Start, int Digits = 0,
    IntegerRange? Range = null, bool Negative = false, long Magnitude = 0) : JsonMatcher
{
    public const int MaxIntegerDigits = 15, MaxFractionDigits = 15, MaxExponentDigits = 2;

    public enum Phase : byte { Start, Minus, Zero, Whole, Dot, Fraction, Exponent, ExponentSign, ExponentDigits }

    public static NumberMatcher For(NumberNode node) => new(node.IsInteger, Range: node.Range);

    public override JsonMatcher? Step(byte b)
    {
        var digit = b is >= (byte)'0' and <= (byte)'9';
        switch (At)
        {
            case Phase.Start:
                if (b == '-') return Within(this with { At = Phase.Minus, Negative = Range != null });
                goto case Phase.Minus;
            case Phase.Minus:
                if (b == '0') return Within(this with { At = Phase.Zero });
                return digit ? Within(this with { At = Phase.Whole, Digits = 1, Magnitude = Range == null ? 0 : b - '0' }) : null;
            case Phase.Zero:
                return Fractional(b);
            case Phase.Whole:
                if (digit)
                    return Digits < MaxIntegerDigits
                        ? Within(this with { Digits = Digits + 1, Magnitude = Range == null ? 0 : Magnitude * 10 + (b - '0') })
                        : null;
                return Fractional(b);
            case Phase.Dot:
                return digit ? this with { At = Phase.Fraction, Digits = 1 } : null;
            case Phase.Fraction:
                if (digit) return Digits < MaxFractionDigits ? this with { Digits = Digits + 1 } : null;
                return b is (byte)'e' or (byte)'E' ? this with { At = Phase.Exponent, Digits = 0 } : null;
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

    /// <summary>The state, if its value can still end within the range.</summary>
    NumberMatcher? Within(NumberMatcher next) => next.Range is not { } range || next.DigitsToRange(range) >= 0 ? next : null;

    JsonMatcher? Fractional(byte b) => Integer ? null : b switch
    {
        (byte)'.' => this with { At = Phase.Dot, Digits = 0 },
        (byte)'e' or (byte)'E' => this with { At = Phase.Exponent, Digits = 0 },
        _ => null,
    };

    bool Written => At is Phase.Zero or Phase.Whole or Phase.Fraction or Phase.ExponentDigits;

    public override bool CanEnd => Written && (Range is not { } range || range.Contains(Negative ? -Magnitude : Magnitude));

    public override int MinRemaining => CanEnd ? 0
        : Range is { } range ? At == Phase.Start ? range.ShortestLength : DigitsToRange(range)
        : 1;

    /// <summary>
    /// The fewest digits that, appended, give a value within the range (0: it already is), or -1 when none do. After a
    /// sign alone, any magnitude may follow; after a first zero, nothing; otherwise the magnitude times 10^k plus any
    /// k digits.
    /// </summary>
    int DigitsToRange(IntegerRange range)
    {
        if (At == Phase.Zero) return range.Contains(0) ? 0 : -1;
        var written = At == Phase.Whole;
        if (written && range.Contains(Negative ? -Magnitude : Magnitude)) return 0;
        long scale = 1;
        for (var k = 1; (written ? Digits : 0) + k <= MaxIntegerDigits; k++)
        {
            scale *= 10;
            var low = written ? Magnitude * scale : 0;
            var high = low + scale - 1;
            if (Negative ? range.Overlaps(-high, -low) : range.Overlaps(low, high)) return k;
        }
        return -1;
    }
}
