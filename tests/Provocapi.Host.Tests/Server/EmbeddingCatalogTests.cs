using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Server;

/// <summary>How the catalog tells embedding models from chat models, and what the start-up check refuses.</summary>
public sealed class EmbeddingCatalogTests
{
    static readonly string Bert = TestData.Path("models", "bert-wpm-d64", "bert-wpm-d64-f32.gguf");
    static readonly string Llama = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf");

    [Fact]
    public void The_kind_is_read_from_the_file_unless_configured()
    {
        Assert.Equal(ModelKind.Embedding, new ServedModel(new ServedModelOptions { Id = "a", Path = Bert }).Kind);
        Assert.Equal(ModelKind.Embedding, new ServedModel(new ServedModelOptions { Id = "b", Path = TestData.Path("models", "bert-wpm-d64", "hf-f32") }).Kind);
        Assert.Equal(ModelKind.Chat, new ServedModel(new ServedModelOptions { Id = "c", Path = Llama }).Kind);
        Assert.Equal(ModelKind.Chat, new ServedModel(new ServedModelOptions { Id = "d", Path = Bert, Kind = ModelKind.Chat }).Kind);
    }

    [Fact]
    public void Embedding_models_pass_the_start_up_check_but_synthetic_ones_and_a_zero_batch_do_not()
    {
        var validator = new InferenceOptionsValidator();
        var ok = new InferenceOptions { Models = [new() { Id = "embed", Path = Bert, Kind = ModelKind.Embedding }] };
        var bad = new InferenceOptions
        {
            Models =
            [
                new() { Id = "synthetic", Path = "synthetic:tiny", Tokenizer = Bert, Kind = ModelKind.Embedding },
                new() { Id = "zero", Path = Bert, EmbeddingBatchTokens = 0 },
            ],
        };

        Assert.True(validator.Validate(null, ok).Succeeded);
        var failures = validator.Validate(null, bad).Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("synthetic models are chat models"));
        Assert.Contains(failures, f => f.Contains("EmbeddingBatchTokens must be at least 1"));
    }
}
