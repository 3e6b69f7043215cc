namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON string: no raw control characters, escapes as JSON defines them (<c>\u</c> outside the surrogate range,
/// so every string decodes), and whole UTF-8 sequences.
/// </summary>
public sealed record StringMatcher(StringMatcher.Phase At = StringMatcher.Phase.Open, int Pending = 0) : JsonMatcher
{
    public enum Phase : byte { Open, Body, Escape, Unicode, UnicodeD, Utf8, Closed }

    public override JsonMatcher? Step(byte b) => At switch
    {
        Phase.Open => b == '"' ? new StringMatcher(Phase.Body) : null,
        Phase.Body => Body(b),
        Phase.Escape => b switch
        {
            (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' => new StringMatcher(Phase.Body),
            (byte)'u' => new StringMatcher(Phase.Unicode, 4),
            _ => null,
        },
        // \uD800-\uDFFF are surrogate halves, which alone do not decode: after a first digit d, the second must be 0-7.
        Phase.Unicode when Pending == 4 && b is (byte)'d' or (byte)'D' => new StringMatcher(Phase.UnicodeD, 3),
        Phase.Unicode => IsHex(b) ? Continue(Phase.Unicode) : null,
        Phase.UnicodeD => b is >= (byte)'0' and <= (byte)'7' ? new StringMatcher(Phase.Unicode, 2) : null,
        Phase.Utf8 => b is >= 0x80 and <= 0xBF ? Continue(Phase.Utf8) : null,
        _ => null,
    };

    static JsonMatcher? Body(byte b) => b switch
    {
        (byte)'"' => Closed,
        (byte)'\\' => new StringMatcher(Phase.Escape),
        < 0x20 => null,
        < 0x80 => BodyState,
        >= 0xC2 and <= 0xDF => new StringMatcher(Phase.Utf8, 1),
        >= 0xE0 and <= 0xEF => new StringMatcher(Phase.Utf8, 2),
        >= 0xF0 and <= 0xF4 => new StringMatcher(Phase.Utf8, 3),
        _ => null,
    };

    static readonly StringMatcher BodyState = new(Phase.Body);
    static readonly StringMatcher Closed = new(Phase.Closed);

    StringMatcher Continue(Phase phase) => Pending == 1 ? BodyState : new StringMatcher(phase, Pending - 1);

    static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    public override bool CanEnd => At == Phase.Closed;

    public override int MinRemaining => At switch
    {
        Phase.Open => 2,
        Phase.Body => 1,
        Phase.Escape => 2,
        Phase.Unicode or Phase.UnicodeD or Phase.Utf8 => Pending + 1,
        _ => 0,
    };
}
