using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Formats;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Tests.Ops;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models.Adapters;

/// <summary>
/// Adapters made by the tests on the d64 Llama (the same weights as a Hugging Face folder and as GGUF): applied at run
/// time they change the output, and give what the base model with merged weights W + s·B·A gives, in either file
/// format on either base format; adapters that do not fit the base model are refused with a reason.
/// </summary>
public sealed class LoraAdapterTests
{
    static readonly string HfBase = TestData.Path("models", "llama-bpe-d64", "hf-f32");
    static readonly string GgufBase = TestData.Path("models", "llama-bpe-d64", "llama-bpe-d64-f32.gguf");
    static readonly int[] Prompt = [50256, 464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13];

    [Theory]
    [InlineData(8, 16f, false)]
    [InlineData(4, 8f, true)]
    public void Adapter_changes_the_output_and_equals_the_merged_weights(int rank, float alpha, bool rsLora)
    {
        using var model = LanguageModel.Load(HfBase);
        var test = TestLoraAdapter.Random(model.Config, rank, alpha, seed: rank, useRsLora: rsLora);
        var adapter = LoraAdapterLoader.Load(test.WritePeft(), "test", model.Config);
        Assert.Equal(test.Scale, adapter.Scale, 6);
        Assert.Equal(LoraProjections.All, adapter.Targets);
        using var merged = test.Merge(model.Network);

        var plain = Logits(model.Network, null);
        var withAdapter = Logits(model.Network, adapter);
        var reference = Logits(merged, null);
        Assert.True(RandomData.NormalizedError(withAdapter, plain) > 0.05, $"the adapter barely changed the logits ({RandomData.NormalizedError(withAdapter, plain)})");
        Assert.True(RandomData.NormalizedError(withAdapter, reference) < 1e-4, $"normalized error against the merged model: {RandomData.NormalizedError(withAdapter, reference)}");
    }

    /// <summary>GGUF Llama weights interleave each head's rotary halves; the adapter's query and key rows must follow.</summary>
    [Fact]
    public void Peft_and_gguf_adapters_give_the_same_logits_on_hugging_face_and_gguf_bases()
    {
        using var hf = LanguageModel.Load(HfBase);
        using var gguf = LanguageModel.Load(GgufBase);
        var test = TestLoraAdapter.Random(hf.Config, 8, 16f, seed: 5);
        var peft = test.WritePeft();
        var ggufAdapter = test.WriteGguf();

        var expected = Logits(hf.Network, LoraAdapterLoader.Load(peft, "peft", hf.Config));
        foreach (var (network, path) in new[] { (hf.Network, ggufAdapter), (gguf.Network, peft), (gguf.Network, ggufAdapter) })
        {
            var actual = Logits(network, LoraAdapterLoader.Load(path, "a", network.Config));
            Assert.True(RandomData.NormalizedError(actual, expected) < 1e-4, $"{network.Config.RopeLayout} base, {Path.GetFileName(path)}: normalized error {RandomData.NormalizedError(actual, expected)}");
        }
        Assert.True(RandomData.NormalizedError(Logits(gguf.Network, null), expected) > 0.05);
    }

    [Fact]
    public void An_adapter_on_some_projections_leaves_the_others_alone()
    {
        using var model = LanguageModel.Load(HfBase);
        var test = TestLoraAdapter.Random(model.Config, 2, 4f, seed: 9, targets: [LoraProjection.Value, LoraProjection.Down]);
        var adapter = LoraAdapterLoader.Load(test.WritePeft(), "vd", model.Config);
        Assert.Equal([LoraProjection.Value, LoraProjection.Down], adapter.Targets);
        Assert.Null(adapter.Weights(0, LoraProjection.Query));
        using var merged = test.Merge(model.Network);
        Assert.True(RandomData.NormalizedError(Logits(model.Network, adapter), Logits(merged, null)) < 1e-4);
    }

    [Fact]
    public void Unknown_target_modules_are_refused_by_name()
    {
        using var model = LanguageModel.Load(HfBase);
        var folder = TestLoraAdapter.Random(model.Config, 2, 4f, seed: 1).WritePeft(targetModules: ["q_proj", "lm_head"]);
        var e = Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(folder, "x", model.Config));
        Assert.Contains("'lm_head' is not supported", e.Message);
    }

    [Fact]
    public void All_linear_targets_every_projection()
    {
        using var model = LanguageModel.Load(HfBase);
        var folder = TestLoraAdapter.Random(model.Config, 2, 4f, seed: 3).WritePeft(targetModules: ["all-linear"]);
        Assert.Equal(LoraProjections.All, LoraAdapterLoader.Load(folder, "x", model.Config).Targets);
    }

    [Fact]
    public void A_rank_that_does_not_match_the_tensors_is_refused()
    {
        using var model = LanguageModel.Load(HfBase);
        var folder = TestLoraAdapter.Random(model.Config, 4, 4f, seed: 1).WritePeft(configRank: 8);
        var e = Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(folder, "x", model.Config));
        Assert.Contains("has shape [4, 64]", e.Message);
    }

    [Fact]
    public void An_adapter_for_another_shape_of_model_is_refused()
    {
        using var model = LanguageModel.Load(HfBase);
        var other = model.Config with { EmbeddingDim = 96, HeadDim = 24 };
        var folder = TestLoraAdapter.Random(other, 4, 4f, seed: 1).WritePeft();
        var e = Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(folder, "x", model.Config));
        Assert.Contains("the base model and rank need", e.Message);
        var deeper = model.Config with { LayerCount = 3 };
        var layers = Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(TestLoraAdapter.Random(deeper, 2, 2f, seed: 2).WriteGguf(), "x", model.Config));
        Assert.Contains("layer 2", layers.Message);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void A_gguf_alpha_that_is_not_finite_is_refused(float alpha)
    {
        using var model = LanguageModel.Load(HfBase);
        var e = Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(TestLoraAdapter.Random(model.Config, 2, alpha, seed: 1).WriteGguf(), "x", model.Config));
        Assert.Contains("adapter.lora.alpha", e.Message);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[{}]")]
    [InlineData("[\"q_proj\", null]")]
    public void Target_modules_that_are_not_names_are_refused(string targets)
    {
        using var model = LanguageModel.Load(HfBase);
        var folder = TestLoraAdapter.Random(model.Config, 2, 4f, seed: 1).WritePeft();
        var path = Path.Combine(folder, "adapter_config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        config["target_modules"] = System.Text.Json.Nodes.JsonNode.Parse(targets);
        File.WriteAllText(path, config.ToJsonString());
        Assert.Contains("not a module name", Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(folder, "x", model.Config)).Message);
    }

    [Theory]
    [InlineData("99999999999", "not a LoRA update")]
    [InlineData("\u0663", "not a LoRA update")]
    [InlineData("\uff10", "not a LoRA update")]
    [InlineData("999999999", "layer 999999999")]
    public void A_layer_index_that_is_not_a_small_ascii_number_is_refused(string layer, string expected)
    {
        using var model = LanguageModel.Load(HfBase);
        var folder = TestLoraAdapter.Random(model.Config, 2, 4f, seed: 1, targets: [LoraProjection.Query]).WritePeft();
        var name = $"base_model.model.model.layers.{layer}.self_attn.q_proj.lora_A.weight";
        var header = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            [name] = new { dtype = "F32", shape = new[] { 2, model.Config.EmbeddingDim }, data_offsets = new[] { 0, 8 * model.Config.EmbeddingDim } },
        }));
        var padded = (header.Length + 7) / 8 * 8;
        byte[] file = [.. BitConverter.GetBytes((ulong)padded), .. header, .. Enumerable.Repeat((byte)' ', padded - header.Length), .. new byte[8 * model.Config.EmbeddingDim]];
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), file);
        Assert.Contains(expected, Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(folder, "x", model.Config)).Message);
    }

    [Fact]
    public void A_gguf_file_that_is_not_an_adapter_is_refused()
    {
        using var model = LanguageModel.Load(HfBase);
        var e = Assert.Throws<ModelFormatException>(() => LoraAdapterLoader.Load(GgufBase, "x", model.Config));
        Assert.Contains("not a GGUF LoRA adapter", e.Message);
    }

    [Fact]
    public void Row_orders_round_trip()
    {
        for (var row = 0; row < 64; row++)
            Assert.Equal(row, LoraAdapterLoader.HalfSplitRow(LoraAdapterLoader.AdjacentRow(row, 16), 16));
        // Hugging Face row 8 of a 16-wide head is the first of its second half: the second of the interleaved pair.
        Assert.Equal(1, LoraAdapterLoader.AdjacentRow(8, 16));
    }

    /// <summary>Logits at every prompt position, the prompt fed as one batch.</summary>
    static float[] Logits(Llama network, LoraAdapter? adapter)
    {
        using var workers = new CpuWorkers(2);
        using var pool = new KvPagePool(network.KvShape(KvCacheType.F32), 16, 8);
        using var sequence = new KvPageTable(pool);
        var batch = new ForwardBatch();
        for (var i = 0; i < Prompt.Length; i++) batch.Add(Prompt[i], i, sequence, wantLogits: true, adapter);
        return network.Forward(batch, new ForwardScratch(), workers).ToArray();
    }
}
