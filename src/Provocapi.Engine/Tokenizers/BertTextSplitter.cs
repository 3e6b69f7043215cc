using System.Globalization;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// BERT's normalizer and pre-tokenizer in one pass (Hugging Face's BertNormalizer then BertPreTokenizer; Google's
/// tokenization.py BasicTokenizer): drops control characters, spaces out CJK ideographs, strips accents (NFD, then no
/// combining marks), lower-cases, splits at whitespace and makes every punctuation character a word of its own.
/// </summary>
internal sealed class BertTextSplitter(bool lowercase, bool stripAccents, bool handleChineseChars, bool cleanText)
{
    /// <summary>Normalizes <paramref name="text"/> into <paramref name="normalized"/> and appends the words' ranges in it to <paramref name="words"/>.</summary>
    public void Split(ReadOnlySpan<char> text, StringBuilder normalized, List<TextRange> words)
    {
        normalized.Clear();
        var source = stripAccents ? text.ToString().Normalize(NormalizationForm.FormD) : text.ToString();
        var wordStart = -1;
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in source.EnumerateRunes())
        {
            var value = rune.Value;
            var category = Rune.GetUnicodeCategory(rune);
            if (cleanText && (value == 0 || value == 0xFFFD || IsControl(value, category))) continue;
            if (IsWhitespace(rune))
            {
                EndWord(ref wordStart, normalized, words);
                continue;
            }
            if (stripAccents && category == UnicodeCategory.NonSpacingMark) continue;
            var output = lowercase ? Rune.ToLowerInvariant(rune) : rune;
            var length = output.EncodeToUtf16(utf16);
            if (IsPunctuation(value, category) || handleChineseChars && IsChineseCharacter(value))
            {
                EndWord(ref wordStart, normalized, words);
                words.Add(new TextRange(normalized.Length, length));
                normalized.Append(utf16[..length]);
                continue;
            }
            if (wordStart < 0) wordStart = normalized.Length;
            normalized.Append(utf16[..length]);
        }
        EndWord(ref wordStart, normalized, words);
    }

    static void EndWord(ref int wordStart, StringBuilder normalized, List<TextRange> words)
    {
        if (wordStart < 0) return;
        words.Add(new TextRange(wordStart, normalized.Length - wordStart));
        wordStart = -1;
    }

    static bool IsWhitespace(Rune rune) => rune.Value is '\t' or '\n' or '\r' || Rune.IsWhiteSpace(rune);

    /// <summary>Hugging Face's is_control: every "other" category (Cc, Cf, Cs, Co, Cn) except tab, newline and carriage return.</summary>
    static bool IsControl(int value, UnicodeCategory category) =>
        value is not ('\t' or '\n' or '\r') && category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    /// <summary>ASCII punctuation and symbols (Rust's is_ascii_punctuation) or any Unicode punctuation.</summary>
    static bool IsPunctuation(int value, UnicodeCategory category) =>
        value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126
        || category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation;

    /// <summary>The CJK Unified Ideograph blocks BERT's tokenization.py spaces out.</summary>
    static bool IsChineseCharacter(int value) =>
        value is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
