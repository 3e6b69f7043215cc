namespace Provocapi.Core.Embeddings;

/// <summary>One vector per input, in input order, and the tokens the inputs took (special tokens included).</summary>
public sealed record EmbeddingResult(IReadOnlyList<float[]> Vectors, int PromptTokens);
