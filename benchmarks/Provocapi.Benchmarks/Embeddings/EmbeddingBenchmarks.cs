using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Provocapi.Core;
using Provocapi.Core.Embeddings;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Benchmarks.Embeddings;

/// <summary>
/// Embedding 1,000 texts of about 30 tokens with a bge-small-shaped encoder (random F32 weights: d 384, 12 layers,
/// 12 heads, ffn 1536, BERT's vocabulary) on 2 threads, through <see cref="EmbeddingModel"/> and its scheduler:
/// as one request of 1,000 inputs, as 1,000 concurrent single-input requests (batched by the scheduler), and one
/// request at a time, each awaited before the next (no batching possible). The emb/s column is texts per second.
/// </summary>
[Config(typeof(Config))]
public class EmbeddingBenchmarks
{
    public const int TextCount = 1000;

    static readonly string[] Words =
    [
        "retrieval", "augmented", "generation", "splits", "documents", "into", "passages", "and", "embeds", "each", "one", "so",
        "that", "a", "question", "finds", "the", "closest", "vectors", "in", "an", "index", "of", "millions", "before", "model",
        "answers", "with", "context", "search", "engine", "ranks", "results", "by", "cosine", "similarity", "between", "query",
    ];

    EmbeddingModel _model = null!;
    string[] _texts = null!;

    [GlobalSetup]
    public void Setup()
    {
        var encoder = EncoderModel.LoadSynthetic(SyntheticEncoder.BgeSmall, TestData.Path("tokenizers", "ggml-vocab-bert-bge.gguf"));
        _model = EmbeddingModel.FromEncoderModel(encoder, new ModelOptions { Threads = 2, MaxQueueLength = TextCount }, "bge-small-synthetic");
        var random = new Random(3);
        _texts = Enumerable.Range(0, TextCount).Select(_ => string.Join(' ', Enumerable.Range(0, 24 + random.Next(6)).Select(_ => Words[random.Next(Words.Length)]))).ToArray();
        Console.WriteLine($"// {TextCount} texts, {_texts.Average(t => _model.Tokenize(t).Length):F1} tokens each on average");
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public Task<EmbeddingResult> OneRequestOf1000() => _model.EmbedAsync(_texts);

    [Benchmark]
    public Task<EmbeddingResult[]> ConcurrentSingleRequests() => Task.WhenAll(_texts.Select(t => _model.EmbedAsync([t])));

    [Benchmark(Baseline = true)]
    public async Task<int> OneAtATime()
    {
        var dimensions = 0;
        foreach (var text in _texts) dimensions += (await _model.EmbedAsync([text])).Vectors[0].Length;
        return dimensions;
    }

    sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3));
            AddColumn(new ThroughputColumn("emb/s", "Texts embedded per second", _ => TextCount, unit: 1));
        }
    }
}
