using System.Globalization;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// .NET's regex engine works on UTF-16 code units, so <c>\p{L}</c> never matches a letter outside the Basic Multilingual
/// Plane (its two surrogates are category Cs). Split patterns are defined over code points (Oniguruma in Hugging Face
/// tokenizers, llama.cpp's unicode.cpp), so text holding surrogate pairs is projected onto one char per code point first:
/// each supplementary code point becomes a BMP stand-in of the same general category. llama.cpp's unicode_regex_split
/// does the same trick with its "collapsed" category bytes. Patterns are rewritten to match (see <see cref="OnigurumaPattern"/>).
/// </summary>
internal static class BmpProjection
{
    /// <summary>
    /// The BMP character standing in for supplementary code points of <paramref name="category"/>; each has that category
    /// itself and lies outside the CJK ranges split patterns spell out (U+0800-U+9FFF, U+AC00-U+D7FF), so that an explicit
    /// BMP range never catches a supplementary code point by accident.
    /// </summary>
    public static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u0100',
        UnicodeCategory.LowercaseLetter => '\u0101',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\uA000',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\uA823',
        UnicodeCategory.EnclosingMark => '\u0488',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\uA6E6',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.SpaceSeparator => '\u00A0',
        UnicodeCategory.LineSeparator => '\u2028',
        UnicodeCategory.ParagraphSeparator => '\u2029',
        UnicodeCategory.Control => '\u0080',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        UnicodeCategory.ConnectorPunctuation => '\uFE33',
        UnicodeCategory.DashPunctuation => '\u058A',
        UnicodeCategory.OpenPunctuation => '\uFE59',
        UnicodeCategory.ClosePunctuation => '\uFE5A',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\uFE50',
        UnicodeCategory.MathSymbol => '\u00AC',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u02C2',
        UnicodeCategory.OtherSymbol => '\uA490',
        _ => '\u0378', // unassigned (Cn); surrogates never reach here as pairs
    };

    public static char StandIn(int codePoint) => StandIn(CharUnicodeInfo.GetUnicodeCategory(codePoint));

    public static bool NeedsProjection(ReadOnlySpan<char> text) => text.ContainsAnyInRange('\uD800', '\uDFFF');

    /// <summary>
    /// Writes one char per code point of <paramref name="text"/> into <paramref name="projected"/> and, for each, its
    /// offset in <paramref name="text"/> into <paramref name="offsets"/> (plus a final entry holding text's length).
    /// Both buffers need text.Length (+1) room. Returns the projected length. Lone surrogates are kept as they are.
    /// </summary>
    public static int Project(ReadOnlySpan<char> text, Span<char> projected, Span<int> offsets)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            offsets[count] = i;
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                projected[count++] = StandIn(char.ConvertToUtf32(c, text[i + 1]));
                i++;
            }
            else projected[count++] = c;
        }
        offsets[count] = text.Length;
        return count;
    }
}
