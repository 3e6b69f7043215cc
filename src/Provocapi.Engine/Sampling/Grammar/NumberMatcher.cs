namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON number (an integer when the schema says so): <c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>,
/// with digit counts bounded so a weak model cannot write digits forever and every value fits a double.
/// </summary>
public sealed record NumberMatcher(bool Integer, NumberMatcher.Phase At = NumberMatcher.Phase.Start, int Digits = 0) : JsonMatcher
{
    public const int MaxIntegerDigits = 15, MaxFractionDigits = 15, MaxExponentDigits = 2;

    public enum Phase : byte { Start, Minus, Zero, Whole, Dot, Fraction, Exponent, ExponentSign, ExponentDigits }

    public override JsonMatcher? Step(byte b)
    {
        var digit = b is >= (byte)'0' and <= (byte)'9';
        switch (At)
        {
            case Phase.Start:
                if (b == '-') return this with { At = Phase.Minus };
                goto case Phase.Minus;
            case Phase.Minus:
                if (b == '0') return this with { At = Phase.Zero };
                return digit ? this with { At = Phase.Whole, Digits = 1 } : null;
            case Phase.Zero:
                return Fractional(b);
            case Phase.Whole:
                if (digit) return Digits < MaxIntegerDigits ? this with { Digits = Digits + 1 } : null;
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

    JsonMatcher? Fractional(byte b) => Integer ? null : b switch
    {
        (byte)'.' => this with { At = Phase.Dot, Digits = 0 },
        (byte)'e' or (byte)'E' => this with { At = Phase.Exponent, Digits = 0 },
        _ => null,
    };

    public override bool CanEnd => At is Phase.Zero or Phase.Whole or Phase.Fraction or Phase.ExponentDigits;

    public override int MinRemaining => CanEnd ? 0 : 1;
}
