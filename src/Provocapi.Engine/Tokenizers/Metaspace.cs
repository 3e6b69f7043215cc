namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// SentencePiece's whitespace marker ▁ (U+2581), which stands for a space inside tokens, and the word boundaries it gives.
/// </summary>
internal static class Metaspace
{
    public const char Marker = '\u2581';

    /// <summary>
    /// Whether no token holds a ▁ right after another character. Then merging (by score or by rank) never joins across
    /// a point where a ▁ follows a non-▁ character, so the words between such points can be encoded one by one and cached.
    /// </summary>
    public static bool WordsMergeIndependently(Vocabulary vocabulary)
    {
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var text = vocabulary.Text(id).AsSpan();
            for (var i = 1; i < text.Length; i++)
                if (text[i] == Marker && text[i - 1] != Marker) return false;
        }
        return true;
    }

    /// <summary>The end of the word starting at <paramref name="start"/>: the next ▁ that follows a non-▁ character, or the end.</summary>
    public static int WordEnd(ReadOnlySpan<char> text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
            if (text[i] == Marker && text[i - 1] != Marker) return i;
        return text.Length;
    }
}
