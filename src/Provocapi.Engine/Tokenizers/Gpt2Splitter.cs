namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// GPT-2's split pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> (OpenAI's
/// encoder.py, Hugging Face's ByteLevel pre-tokenizer) as a hand-written scanner, equivalent to the regex by code point,
/// as llama.cpp's unicode_regex_split_custom_gpt2. The regex tries its alternatives in order at each position; so does this.
/// </summary>
internal sealed class Gpt2Splitter : TextSplitter
{
    public static Gpt2Splitter Instance { get; } = new();

    Gpt2Splitter()
    {
    }

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

    static int MatchEnd(ReadOnlySpan<char> text, int i)
    {
        var c = text[i];
        if (c == '\'' && i + 1 < text.Length)
        {
            var next = text[i + 1];
            if (next is 's' or 't' or 'm' or 'd') return i + 2;
            if (i + 2 < text.Length && (next, text[i + 2]) is ('r', 'e') or ('v', 'e') or ('l', 'l')) return i + 3;
        }
        var kind = CodePointKinds.At(text, i, out var width);
        if (c == ' ' && i + 1 < text.Length)
        {
            // " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+" take the space along with the run that follows it.
            var nextKind = CodePointKinds.At(text, i + 1, out var nextWidth);
            if (nextKind != CodePointKind.Whitespace) return RunEnd(text, i + 1 + nextWidth, nextKind);
        }
        if (kind != CodePointKind.Whitespace) return RunEnd(text, i + width, kind);
        var spaceEnd = RunEnd(text, i + 1, CodePointKind.Whitespace);
        // "\s+(?!\S)" backs off one character to leave the last space for the word that follows; "\s+" takes a lone one.
        return spaceEnd < text.Length && spaceEnd - i >= 2 ? spaceEnd - 1 : spaceEnd;
    }

    static int RunEnd(ReadOnlySpan<char> text, int i, CodePointKind kind)
    {
        while (i < text.Length)
        {
            if (CodePointKinds.At(text, i, out var width) != kind) break;
            i += width;
        }
        return i;
    }
}
