namespace Provocapi.Engine.Tokenizers;

/// <summary>A run of UTF-16 code units inside the text being tokenized: one pre-token.</summary>
internal readonly record struct TextRange(int Start, int Length)
{
    public int End => Start + Length;
}
