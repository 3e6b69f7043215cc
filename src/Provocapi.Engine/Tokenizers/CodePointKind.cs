using System.Globalization;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// The four classes the GPT-2 family of split patterns distinguishes: <c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c> and everything else.
/// </summary>
internal enum CodePointKind : byte
{
    Other = 0,
    Letter = 1,
    Number = 2,
    Whitespace = 3,
}

/// <summary>Classifies code points as .NET's regex engine does for <c>\p{L}</c>, <c>\p{N}</c> and <c>\s</c>, by whole code point.</summary>
internal static class CodePointKinds
{
    static readonly CodePointKind[] Bmp = BuildBmpTable();

    /// <summary>The kind of the code point starting at <paramref name="index"/>; <paramref name="width"/> is 2 for a surrogate pair, else 1.</summary>
    public static CodePointKind At(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        if (!char.IsHighSurrogate(c) || index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]))
        {
            width = 1;
            return Bmp[c];
        }
        width = 2;
        return Of(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1])));
    }

    public static CodePointKind Of(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodePointKind.Letter,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CodePointKind.Number,
        _ => CodePointKind.Other,
    };

    static CodePointKind[] BuildBmpTable()
    {
        var table = new CodePointKind[65536];
        for (var c = 0; c < table.Length; c++)
        {
            var ch = (char)c;
            // A lone surrogate is category Cs: "other", as the regex engine sees it.
            table[c] = char.IsWhiteSpace(ch) ? CodePointKind.Whitespace : Of(CharUnicodeInfo.GetUnicodeCategory(ch));
        }
        return table;
    }
}
