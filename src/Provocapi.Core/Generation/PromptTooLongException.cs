namespace Provocapi.Core.Generation;

/// <summary>The prompt leaves no room to generate within the model's context.</summary>
public sealed class PromptTooLongException(int promptTokens, int contextLength)
    : ArgumentException($"the prompt is {promptTokens} tokens, but the model's context is {contextLength} tokens")
{
    public int PromptTokens { get; } = promptTokens;
    public int ContextLength { get; } = contextLength;
}
