using Microsoft.Extensions.AI;
using Provocapi.Core.Embeddings;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Core.Tests.Embeddings;

/// <summary>The embedding model through its batching scheduler and Microsoft.Extensions.AI, on the bert-wpm-d64 fixture.</summary>
public sealed class EmbeddingModelTests
{
    static readonly string ModelPath = TestData.Path("models", "bert-wpm-d64", "bert-wpm-d64-f32.gguf");

    static readonly string[] Texts = Enumerable.Range(0, 40)
        .Select(i => string.Join(' ', Enumerable.Repeat($"text number {i} about embeddings", 1 + i % 5))).ToArray();

    /// <summary>Each text alone, through the network directly: what the scheduler's batches must reproduce.</summary>
    static float[] Alone(EncoderModel model, string text)
    {
        using var workers = new CpuWorkers(1);
        var vector = new float[model.Config.EmbeddingDim];
        model.Network.Encode([model.Tokenizer.Encode(text)], vector, new EncoderScratch(), workers);
        return vector;
    }

    [Fact]
    public async Task Concurrent_requests_are_batched_and_each_gets_its_vectors_in_input_order()
    {
        using var model = await EmbeddingModel.LoadAsync(ModelPath, new ModelOptions { Threads = 2, EmbeddingBatchTokens = 256 });

        // Four callers at once, ten texts each, in different orders.
        var requests = Enumerable.Range(0, 4).Select(r => Texts.Where((_, i) => i % 4 == r).Reverse().ToArray()).ToArray();
        var results = await Task.WhenAll(requests.Select(texts => model.EmbedAsync(texts)));

        for (var r = 0; r < requests.Length; r++)
        {
            Assert.Equal(requests[r].Length, results[r].Vectors.Count);
            Assert.Equal(requests[r].Sum(t => model.Tokenize(t).Length), results[r].PromptTokens);
            for (var i = 0; i < requests[r].Length; i++)
            {
                var expected = Alone(model.Model, requests[r][i]);
                var worst = expected.Zip(results[r].Vectors[i], (a, b) => Math.Abs(a - b)).Max();
                Assert.True(worst < 1e-5, $"request {r} input {i}: largest difference {worst}");
            }
        }
        Assert.InRange(model.Scheduler.Batches, 2, Texts.Length / 2);
    }

    [Fact]
    public async Task Token_id_inputs_equal_their_text()
    {
        using var model = await EmbeddingModel.LoadAsync(ModelPath, new ModelOptions { Threads = 1 });

        var byText = await model.EmbedAsync(["Hello world"]);
        var byIds = await model.EmbedTokensAsync([[101, 7592, 2088, 102]]);

        Assert.Equal(byText.Vectors[0], byIds.Vectors[0]);
        Assert.Equal(4, byIds.PromptTokens);
    }

    [Fact]
    public async Task Inputs_past_the_context_are_refused_naming_their_index()
    {
        using var model = await EmbeddingModel.LoadAsync(ModelPath, new ModelOptions { Threads = 1, ContextLength = 16 });

        var e = await Assert.ThrowsAsync<InputTooLongException>(() => model.EmbedAsync(["short", string.Join(' ', Enumerable.Repeat("word", 40))]));

        Assert.Equal(1, e.Index);
        Assert.Equal(16, e.ContextLength);
    }

    [Fact]
    public async Task Embedding_generator_returns_unit_vectors_usage_and_shortened_dimensions()
    {
        using var model = await EmbeddingModel.LoadAsync(ModelPath, new ModelOptions { Threads = 1 });
        IEmbeddingGenerator<string, Embedding<float>> generator = model.AsEmbeddingGenerator();

        var full = await generator.GenerateAsync(["Hello world", "The quick brown fox jumps over the lazy dog."]);
        var shortened = await generator.GenerateAsync(["Hello world"], new EmbeddingGenerationOptions { Dimensions = 16 });

        Assert.Equal(2, full.Count);
        Assert.All(full, e => Assert.Equal(64, e.Dimensions));
        Assert.All(full, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(v => (double)v * v)), 5));
        Assert.Equal(4 + 12, full.Usage!.InputTokenCount);
        Assert.Equal(16, shortened[0].Dimensions);
        var prefix = full[0].Vector.ToArray()[..16];
        var norm = Math.Sqrt(prefix.Sum(v => (double)v * v));
        Assert.Equal(prefix.Select(v => v / norm), shortened[0].Vector.ToArray().Select(v => (double)v), new Tolerance(1e-6));
        Assert.Equal(64, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 65 }));
    }

    sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= epsilon;
        public int GetHashCode(double value) => 0;
    }
}
