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
/// What constrained decoding adds to each generated token, against the cost of a token on the synthetic <c>small</c>
/// shape (Q8_0, random weights, the Llama 2 vocabulary of 32,000 tokens, 2 threads).
/// <list type="bullet">
/// <item><c>Free</c>: one sequence decoding 64 tokens greedily, end to end: the unconstrained cost per token.</item>
/// <item><c>JsonObject</c>, <c>JsonSchema</c>: the constraint's own work on the tokens a sampled constrained
/// generation of this model wrote (recorded in setup): for each, the vocabulary mask, then stepping past the token.
/// Each iteration starts from a new grammar, so every mask a first request would compute is computed.</item>
/// <item><c>BoundedSchema</c>: the same with bounds on the string, the integer and a number, whose matchers then
/// carry what they have written and check each digit against the bounds.</item>
/// </list>
/// Setup prints the token counts: the overhead per token is a JSON row's mean over its count, divided by Free's mean
/// over 64. Replaying the constraint alone keeps the sampler out of it (a draw from random weights' flat distribution
/// sorts most of the vocabulary when free and only what the grammar allows when masked, which would flatter the grammar).
/// </summary>
[MemoryDiagnoser]
public class ConstrainedDecodingBenchmarks
{
    const int Tokens = 64;
    const string Schema = """{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"n":{"type":"integer"},"ok":{"type":"boolean"}},"required":["name","n","ok"]},"minItems":2}""";
    const string Bounded = """
        {"type":"array","items":{"type":"object","properties":{"name":{"type":"string","maxLength":12},"n":{"type":"integer","minimum":-50,"maximum":1000},
         "p":{"type":"number","minimum":0,"exclusiveMaximum":1}},"required":["name","n","p"]},"minItems":2}
        """;

    LoadedModel _model = null!;
    JsonDocument _schema = null!, _bounded = null!;
    int[] _objectTokens = [], _schemaTokens = [], _boundedTokens = [];
    float[] _logits = [], _scratch = [];

    [GlobalSetup]
    public void Setup()
    {
        var network = Engine.Models.LanguageModel.LoadSynthetic("small", TensorType.Q8_0, TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf"));
        _model = LoadedModel.FromLanguageModel(network, new ModelOptions { Threads = 2 });
        _schema = JsonDocument.Parse(Schema);
        _objectTokens = Generate(ObjectGrammar(), new SamplingOptions { Temperature = 1, Seed = 11 }).TokenIds.ToArray();
        _schemaTokens = Generate(SchemaGrammar(), new SamplingOptions { Temperature = 1, Seed = 11 }).TokenIds.ToArray();
        _bounded = JsonDocument.Parse(Bounded);
        _boundedTokens = Generate(BoundedGrammar(), new SamplingOptions { Temperature = 1, Seed = 11 }).TokenIds.ToArray();
        var random = new Random(3);
        _logits = Enumerable.Range(0, network.Config.VocabSize).Select(_ => (float)random.NextDouble()).ToArray();
        _scratch = new float[_logits.Length];
        Console.WriteLine($"// free: {Tokens} tokens; json_object: {_objectTokens.Length} tokens; schema: {_schemaTokens.Length} tokens; bounded: {_boundedTokens.Length} tokens");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _schema.Dispose();
        _bounded.Dispose();
    }

    JsonGrammar ObjectGrammar() => new(_model.Model.Tokenizer, ObjectNode.AnyProperties);

    JsonGrammar SchemaGrammar() => JsonGrammar.ForSchema(_model.Model.Tokenizer, _schema.RootElement);

    JsonGrammar BoundedGrammar() => JsonGrammar.ForSchema(_model.Model.Tokenizer, _bounded.RootElement);

    GenerationResult Generate(JsonGrammar? grammar, SamplingOptions sampling) => _model.GenerateTextAsync(new GenerationRequest
    {
        Prompt = "Write JSON:",
        Sampling = sampling,
        MaxTokens = Tokens,
        IgnoreEndOfGeneration = grammar == null,
        Grammar = grammar,
    }).GetAwaiter().GetResult();

    int Replay(JsonGrammar grammar, int[] tokens)
    {
        var constraint = grammar.Begin(_model.Model.StopTokenIds);
        for (var i = 0; i < tokens.Length; i++)
        {
            _logits.CopyTo(_scratch, 0);
            constraint.Mask(_scratch, Tokens - i);
            constraint.Accept(tokens[i]);
        }
        return tokens.Length;
    }

    [Benchmark(Baseline = true)]
    public int Free() => Generate(null, SamplingOptions.Greedy).CompletionTokens;

    [Benchmark]
    public int JsonObject() => Replay(ObjectGrammar(), _objectTokens);

    [Benchmark]
    public int JsonSchema() => Replay(SchemaGrammar(), _schemaTokens);

    [Benchmark]
    public int BoundedSchema() => Replay(BoundedGrammar(), _boundedTokens);
}
