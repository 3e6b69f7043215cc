namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// The split pattern of Llama 3 (tiktoken's cl100k family, in Hugging Face's tokenizer.json)
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// as a hand-written scanner, equivalent to the regex by code point (as llama.cpp's unicode_regex_split_custom_llama3).
/// With <c>maxDigits</c> 1 it is Qwen2's variant, where <c>\p{N}</c> stands alone.
/// The case-insensitive contractions fold ASCII letters only, as .NET's regex engine does.
/// </summary>
internal sealed class Llama3Splitter(int maxDigits) : TextSplitter
{
    public static Llama3Splitter Llama3 { get; } = new(3);
    public static Llama3Splitter Qwen2 { get; } = new(1);

    public int MaxDigits => maxDigits;

    public override void Split(ReadOnlySpan<char> piece, int offset, List<TextRange> output)
    {
        var i = 0;
        while (i < piece.Length)
        {
            var end = MatchEnd(piece, i);
            output.Add(new TextRange(offset + i, end - i));
            i = end;
        }
    }

    int MatchEnd(ReadOnlySpan<char> text, int i)
    {
        var c = text[i];
        if (c == '\'' && i + 1 < text.Length)
        {
            var next = LowerAscii(text[i + 1]);
            if (next is 's' or 't' or 'm' or 'd') return i + 2;
            if (i + 2 < text.Length && (next, LowerAscii(text[i + 2])) is ('r', 'e') or ('v', 'e') or ('l', 'l')) return i + 3;
        }
        var kind = CodePointKinds.At(text, i, out var width);

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (kind == CodePointKind.Letter) return RunEnd(text, i + width, CodePointKind.Letter, int.MaxValue);
        if (kind != CodePointKind.Number && c != '\r' && c != '\n' && i + width < text.Length
            && CodePointKinds.At(text, i + width, out var letterWidth) == CodePointKind.Letter)
            return RunEnd(text, i + width + letterWidth, CodePointKind.Letter, int.MaxValue);

        // \p{N}{1,3}
        if (kind == CodePointKind.Number) return RunEnd(text, i + width, CodePointKind.Number, maxDigits - 1);

        // " ?[^\s\p{L}\p{N}]+[\r\n]*"
        var otherStart = -1;
        if (kind == CodePointKind.Other) otherStart = i;
        else if (c == ' ' && i + 1 < text.Length && CodePointKinds.At(text, i + 1, out _) == CodePointKind.Other) otherStart = i + 1;
        if (otherStart >= 0)
        {
            var end = RunEnd(text, otherStart, CodePointKind.Other, int.MaxValue);
            while (end < text.Length && text[end] is '\r' or '\n') end++;
            return end;
        }

        // Whitespace: "\s*[\r\n]+" ends after the run's last line break; else "\s+(?!\S)" leaves the last space to the next word; else "\s+".
        var spaceEnd = RunEnd(text, i + 1, CodePointKind.Whitespace, int.MaxValue);
        for (var k = spaceEnd - 1; k >= i; k--)
            if (text[k] is '\r' or '\n') return k + 1;
        return spaceEnd < text.Length && spaceEnd - i >= 2 ? spaceEnd - 1 : spaceEnd;
    }

    static char LowerAscii(char c) => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;

    /// <summary>The end of the run of <paramref name="kind"/> starting at <paramref name="i"/>, taking at most <paramref name="limit"/> more code points.</summary>
    static int RunEnd(ReadOnlySpan<char> text, int i, CodePointKind kind, int limit)
    {
        while (limit > 0 && i < text.Length)
        {
            if (CodePointKinds.At(text, i, out var width) != kind) break;
            i += width;
            limit--;
        }
        return i;
    }
}
