namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON string: no raw control characters, escapes as JSON defines them (<c>\u</c> outside the surrogate range),
/// and well-formed UTF-8 only (Unicode's table 3-7: no overlong forms, surrogates or code points past U+10FFFF), so
/// every string decodes to what was counted. With bounds (minLength, maxLength) it counts characters as
/// JSON Schema does, in code points: an escape or a UTF-8 sequence is one, counted when it starts. Unbounded strings
/// count nothing, so they all share their states (and the token masks cached for them).
/// </summary>
public sealed record StringMatcher(StringMatcher.Phase At = StringMatcher.Phase.Open, int Pending = 0, int Chars = 0, int MinChars = 0, int MaxChars = int.MaxValue)
    : JsonMatcher
{
    /// <summary>Utf8 takes any continuation byte; the four after it narrow the second byte of a sequence whose lead byte
    /// alone would allow an overlong form (E0, F0), a surrogate (ED) or a code point past U+10FFFF (F4).</summary>
    public enum Phase : byte { Open, Body, Escape, Unicode, UnicodeD, Utf8, Utf8AfterE0, Utf8AfterED, Utf8AfterF0, Utf8AfterF4, Closed }

    public static StringMatcher For(StringNode node) => node.IsBounded ? new StringMatcher(MinChars: node.MinChars, MaxChars: node.MaxChars) : Unbounded;

    static readonly StringMatcher Unbounded = new();
    static readonly StringMatcher UnboundedBody = new(Phase.Body);
    static readonly StringMatcher UnboundedClosed = new(Phase.Closed);

    bool IsBounded => MinChars > 0 || MaxChars != int.MaxValue;

    public override JsonMatcher? Step(byte b) => At switch
    {
        Phase.Open => b == '"' ? InBody(Chars) : null,
        Phase.Body => Body(b),
        Phase.Escape => b switch
        {
            (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' => InBody(Chars),
            (byte)'u' => this with { At = Phase.Unicode, Pending = 4 },
            _ => null,
        },
        // \uD800-\uDFFF are surrogate halves, which alone do not decode: after a first digit d, the second must be 0-7.
        Phase.Unicode when Pending == 4 && b is (byte)'d' or (byte)'D' => this with { At = Phase.UnicodeD, Pending = 3 },
        Phase.Unicode => IsHex(b) ? Continue(Phase.Unicode) : null,
        Phase.UnicodeD => b is >= (byte)'0' and <= (byte)'7' ? this with { At = Phase.Unicode, Pending = 2 } : null,
        Phase.Utf8 => b is >= 0x80 and <= 0xBF ? Continue(Phase.Utf8) : null,
        Phase.Utf8AfterE0 => b is >= 0xA0 and <= 0xBF ? Continue(Phase.Utf8) : null,
        Phase.Utf8AfterED => b is >= 0x80 and <= 0x9F ? Continue(Phase.Utf8) : null,
        Phase.Utf8AfterF0 => b is >= 0x90 and <= 0xBF ? Continue(Phase.Utf8) : null,
        Phase.Utf8AfterF4 => b is >= 0x80 and <= 0x8F ? Continue(Phase.Utf8) : null,
        _ => null,
    };

    JsonMatcher? Body(byte b)
    {
        if (b == '"') return Chars < MinChars ? null : IsBounded ? this with { At = Phase.Closed, Chars = 0 } : UnboundedClosed;
        // Any other byte starts a character.
        if (Chars >= MaxChars) return null;
        // Counting stops where it no longer matters: at maxLength, or at minLength when there is no maximum.
        var chars = IsBounded ? Math.Min(Chars + 1, MaxChars == int.MaxValue ? MinChars : MaxChars) : 0;
        return b switch
        {
            (byte)'\\' => this with { At = Phase.Escape, Chars = chars },
            < 0x20 => null,
            < 0x80 => InBody(chars),
            >= 0xC2 and <= 0xDF => this with { At = Phase.Utf8, Pending = 1, Chars = chars },
            0xE0 => this with { At = Phase.Utf8AfterE0, Pending = 2, Chars = chars },
            0xED => this with { At = Phase.Utf8AfterED, Pending = 2, Chars = chars },
            >= 0xE1 and <= 0xEF => this with { At = Phase.Utf8, Pending = 2, Chars = chars },
            0xF0 => this with { At = Phase.Utf8AfterF0, Pending = 3, Chars = chars },
            0xF4 => this with { At = Phase.Utf8AfterF4, Pending = 3, Chars = chars },
            >= 0xF1 and <= 0xF3 => this with { At = Phase.Utf8, Pending = 3, Chars = chars },
            _ => null,
        };
    }

    StringMatcher InBody(int chars) => IsBounded ? this with { At = Phase.Body, Pending = 0, Chars = chars } : UnboundedBody;

    StringMatcher Continue(Phase phase) => Pending == 1 ? InBody(Chars) : this with { At = phase, Pending = Pending - 1 };

    static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    public override bool CanEnd => At == Phase.Closed;

    /// <summary>The characters still missing below minLength each take a byte at least, beside the closing quote.</summary>
    public override int MinRemaining => At switch
    {
        Phase.Open => 2 + MinChars,
        Phase.Body => 1 + Missing,
        Phase.Escape => 2 + Missing,
        Phase.Closed => 0,
        _ => Pending + 1 + Missing,
    };

    int Missing => Math.Max(0, MinChars - Chars);
}
