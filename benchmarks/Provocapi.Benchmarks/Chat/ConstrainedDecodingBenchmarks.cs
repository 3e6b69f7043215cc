using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Provocapi.Core;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Sampling.Grammar;
using Provocapi.Engine.Tensors;
using Provocapi.Tests;

namespace Provocapi.Benchmarks.Chat;

/// <summary>
/// Constrained decoding's cost per generated token: one sequence decoding 64 tokens on the synthetic <c>small</c>
/// shape (Q8_0, random weights, the Llama 2 vocabulary of 32,000 tokens) on 2 threads, free, under JSON mode, and
/// under a schema. Sampled with a fixed seed, so every run writes the same 64 tokens; the grammar's masks start
/// cold each iteration (a new grammar), so cache misses are paid as a first request pays them.
/// </summary>
[MemoryDiagnoser]
public class ConstrainedDecodingBenchmarks
{
    const int Tokens = 64;
    const string Schema = """{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"n":{"type":"integer"},"ok":{"type":"boolean"}},"required":["name","n","ok"]},"minItems":2}""";

    LoadedModel _model = null!;
    JsonDocument _schema = null!;

    [GlobalSetup]
    public void Setup()
    {
        var network = Engine.Models.LanguageModel.LoadSynthetic("small", TensorType.Q8_0, TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf"));
        _model = LoadedModel.FromLanguageModel(network, new ModelOptions { Threads = 2 });
        _schema = JsonDocument.Parse(Schema);
        foreach (var (name, grammar) in new[] { ("free", (JsonGrammar?)null), ("json_object", ObjectGrammar()), ("schema", SchemaGrammar()) })
            Console.WriteLine($"// {name}: {Generate(grammar).CompletionTokens} tokens");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _schema.Dispose();
    }

    JsonGrammar ObjectGrammar() => new(_model.Model.Tokenizer, ObjectNode.AnyProperties);

    JsonGrammar SchemaGrammar() => JsonGrammar.ForSchema(_model.Model.Tokenizer, _schema.RootElement);

    GenerationResult Generate(JsonGrammar? grammar) => _model.GenerateTextAsync(new GenerationRequest
    {
        Prompt = "Write JSON:",
        Sampling = new SamplingOptions { Temperature = 1, Seed = 11 },
        MaxTokens = Tokens,
        IgnoreEndOfGeneration = grammar == null,
        Grammar = grammar,
    }).GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public int Free() => Generate(null).CompletionTokens;

    [Benchmark]
    public int JsonObject() => Generate(ObjectGrammar()).CompletionTokens;

    [Benchmark]
    public int JsonSchema() => Generate(SchemaGrammar()).CompletionTokens;
}
