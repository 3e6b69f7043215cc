using System.Text.Json.Nodes;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models;

/// <summary>What an encoder folder declares, read from copies of the bert-wpm-d64 folder with edited config files.</summary>
public sealed class EncoderLoadingTests : IDisposable
{
    static readonly string Source = TestData.Path("models", "bert-wpm-d64", "hf-f32");
    readonly string _folder = Directory.CreateTempSubdirectory("provocapi-encoder-").FullName;

    public EncoderLoadingTests()
    {
        foreach (var file in Directory.GetFiles(Source)) File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        Directory.CreateDirectory(Path.Combine(_folder, "1_Pooling"));
        File.Copy(Path.Combine(Source, "1_Pooling", "config.json"), Path.Combine(_folder, "1_Pooling", "config.json"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    void Edit(string file, Action<JsonNode> change)
    {
        var path = Path.Combine(_folder, file);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public void Mean_pooling_and_no_normalize_module_are_read_from_sentence_transformers_files()
    {
        Edit(Path.Combine("1_Pooling", "config.json"), j =>
        {
            j["pooling_mode_cls_token"] = false;
            j["pooling_mode_mean_tokens"] = true;
        });
        Edit("modules.json", j => j.AsArray().RemoveAt(2));

        using var model = EncoderModel.Load(_folder);

        Assert.Equal(EmbeddingPooling.Mean, model.Config.Pooling);
        Assert.False(model.Config.Normalize);
    }

    [Fact]
    public void Unsupported_pooling_is_refused_by_name()
    {
        Edit(Path.Combine("1_Pooling", "config.json"), j =>
        {
            j["pooling_mode_cls_token"] = false;
            j["pooling_mode_max_tokens"] = true;
        });

        Assert.Contains("pooling_mode_max_tokens", Assert.Throws<ModelFormatException>(() => EncoderModel.Load(_folder)).Message);
    }

    [Fact]
    public void Xlm_roberta_numbers_positions_from_after_the_padding_id()
    {
        Edit("config.json", j =>
        {
            j["model_type"] = "xlm-roberta";
            j["pad_token_id"] = 1;
        });

        using var roberta = EncoderModel.Load(_folder);
        using var bert = EncoderModel.Load(Source);
        using var workers = new CpuWorkers(1);

        Assert.True(EncoderModel.IsEncoder(_folder));
        Assert.Equal("xlm-roberta", roberta.Config.Architecture);
        Assert.Equal(2, roberta.Config.PositionOffset);
        Assert.Equal(126, roberta.Config.ContextLength);
        int[] ids = [101, 7592, 2088, 102];
        float[] a = new float[64], b = new float[64];
        roberta.Network.Encode([ids], a, new EncoderScratch(), workers);
        bert.Network.Encode([ids], b, new EncoderScratch(), workers);
        Assert.True(a.Zip(b, (x, y) => Math.Abs(x - y)).Max() > 1e-3, "the position offset changed nothing");
        var longest = new float[64];
        roberta.Network.Encode([Enumerable.Repeat(7592, 126).ToArray()], longest, new EncoderScratch(), workers);
        Assert.Throws<ArgumentException>(() => roberta.Network.Encode([Enumerable.Repeat(7592, 127).ToArray()], longest, new EncoderScratch(), workers));
    }

    [Fact]
    public void Chat_models_are_not_encoders()
    {
        Assert.True(EncoderModel.IsEncoder(TestData.Path("models", "bert-wpm-d64", "bert-wpm-d64-f32.gguf")));
        Assert.False(EncoderModel.IsEncoder(TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf")));
        Assert.False(EncoderModel.IsEncoder(TestData.Path("models", "llama-spm-d64", "no-such-file.gguf")));
    }
}
