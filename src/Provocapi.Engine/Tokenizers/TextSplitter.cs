namespace Provocapi.Engine.Tokenizers;

/// <summary>One step of a pre-tokenizer: cuts a piece of text into smaller pieces, every character kept unless the step removes separators.</summary>
internal abstract class TextSplitter
{
    /// <summary>Appends the pieces of <paramref name="piece"/> to <paramref name="output"/>, as ranges offset by <paramref name="offset"/>.</summary>
    public abstract void Split(ReadOnlySpan<char> piece, int offset, List<TextRange> output);
}
