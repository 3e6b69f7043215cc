namespace Provocapi.Core.Embeddings;

/// <summary>An input to embed has more tokens than the model's context.</summary>
public sealed class InputTooLongException(int index, int tokens, int contextLength)
    : ArgumentException($"input {index} is {tokens} tokens, but the model's context is {contextLength} tokens")
{
    public int Index { get; } = index;
    public int Tokens { get; } = tokens;
    public int ContextLength { get; } = contextLength;
}
