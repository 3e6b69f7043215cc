using System.Text.Json;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models;

/// <summary>
/// The bert-wpm-d64 fixture, from its GGUF file and from its Hugging Face folder, against the float64 PyTorch reference
/// (tests/fixtures/models/bert-wpm-d64/references.json): token ids exact, CLS and mean embeddings within 1e-4.
/// </summary>
public sealed class BertParityTests
{
    public sealed record Case(string Text, int[] Ids, float[] Cls, float[] Mean);

    static readonly Case[] Cases = LoadCases();

    public static TheoryData<string> Sources => new() { "bert-wpm-d64-f32.gguf", "hf-f32" };

    static EncoderModel Load(string source) => EncoderModel.Load(TestData.Path("models", "bert-wpm-d64", source));

    [Theory]
    [MemberData(nameof(Sources))]
    public void Token_ids_match_reference(string source)
    {
        using var model = Load(source);
        foreach (var c in Cases) Assert.Equal(c.Ids, model.Tokenizer.Encode(c.Text));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Declared_pooling_is_cls_and_normalized(string source)
    {
        using var model = Load(source);
        Assert.Equal(EmbeddingPooling.Cls, model.Config.Pooling);
        Assert.True(model.Config.Normalize);
        Assert.Equal(128, model.Config.ContextLength);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Cls_and_mean_embeddings_match_reference_one_at_a_time_and_batched(string source)
    {
        using var model = Load(source);
        using var workers = new CpuWorkers(2);
        foreach (var pooling in new[] { EmbeddingPooling.Cls, EmbeddingPooling.Mean })
        {
            var network = new Bert(model.Config with { Pooling = pooling }, model.Network.Weights);
            var d = network.Config.EmbeddingDim;
            var batched = new float[Cases.Length * d];
            network.Encode(Cases.Select(c => (ReadOnlyMemory<int>)c.Ids).ToArray(), batched, new EncoderScratch(), workers);
            for (var i = 0; i < Cases.Length; i++)
            {
                var expected = pooling == EmbeddingPooling.Cls ? Cases[i].Cls : Cases[i].Mean;
                var single = new float[d];
                network.Encode([Cases[i].Ids], single, new EncoderScratch(), workers);
                AssertClose(expected, single, $"{source} {pooling} case {i} alone");
                AssertClose(expected, batched.AsSpan(i * d, d).ToArray(), $"{source} {pooling} case {i} batched");
            }
        }
    }

    static void AssertClose(float[] expected, float[] actual, string what)
    {
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4, $"{what}: largest difference {worst}");
    }

    static Case[] LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.Path("models", "bert-wpm-d64", "references.json")));
        static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            Floats(c.GetProperty("cls_normalized")),
            Floats(c.GetProperty("mean_normalized")))).ToArray();
    }
}
