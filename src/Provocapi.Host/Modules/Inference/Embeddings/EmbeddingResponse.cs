using System.Text.Json.Serialization;

namespace Provocapi.Host.Modules.Inference.Embeddings;

/// <summary>OpenAI's embedding object: the vector as numbers, or as a base64 string of little-endian float32 (encoding_format base64).</summary>
public sealed record EmbeddingData(int Index, [property: JsonPropertyOrder(1)] object Embedding)
{
    [JsonPropertyOrder(-1)]
    public string Object => "embedding";
}

public sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);

/// <summary><c>POST /v1/embeddings</c>'s response: one embedding per input, in input order.</summary>
public sealed record EmbeddingResponse(IReadOnlyList<EmbeddingData> Data, string Model, EmbeddingUsage Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}
