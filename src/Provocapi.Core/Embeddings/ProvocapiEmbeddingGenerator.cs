using Microsoft.Extensions.AI;

namespace Provocapi.Core.Embeddings;

/// <summary>Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over an <see cref="EmbeddingModel"/>, so any .NET app can embed through the standard abstraction.</summary>
public sealed class ProvocapiEmbeddingGenerator(EmbeddingModel model) : IEmbeddingGenerator<string, Embedding<float>>
{
    readonly EmbeddingGeneratorMetadata _metadata = new("provocapi", null, model.Name, model.Dimensions);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var dimensions = options?.Dimensions;
        if (dimensions is { } d && (d < 1 || d > model.Dimensions))
            throw new ArgumentOutOfRangeException(nameof(options), d, $"dimensions must be between 1 and the model's {model.Dimensions}");
        var result = await model.EmbedAsync(values.ToArray(), cancellationToken);
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(result.Vectors.Select(v => new Embedding<float>(dimensions is { } n ? EmbeddingModel.Shorten(v, n) : v)
        {
            ModelId = model.Name,
            CreatedAt = created,
        }))
        {
            Usage = new UsageDetails { InputTokenCount = result.PromptTokens, TotalTokenCount = result.PromptTokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey != null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(EmbeddingModel) ? model
        : null;

    public void Dispose() { }
}
