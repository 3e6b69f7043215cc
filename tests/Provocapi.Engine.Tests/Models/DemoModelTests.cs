using System.Text.Json;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Sampling;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models;

/// <summary>
/// The demo model shipped in models/ (tools/train-demo-model): it loads through our loaders in both formats, our
/// tokenizer splits held-out text exactly as the training script's did, and greedy decoding gives the training script's text.
/// </summary>
public sealed class DemoModelTests
{
    static readonly string Models = Path.GetFullPath(Path.Combine(TestData.Root, "..", "..", "models"));
    static readonly string Gguf = Path.Combine(Models, "provocapi-demo-fortunes-f32.gguf");
    static readonly string HuggingFace = Path.Combine(Models, "provocapi-demo-fortunes-hf");

    public static TheoryData<string> Sources => new() { Gguf, HuggingFace };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Our_tokenizer_encodes_held_out_text_as_the_training_script_did(string source)
    {
        using var model = LanguageModel.Load(source);
        var text = File.ReadAllText(TestData.Path("demo-model", "heldout.txt"));
        var expected = File.ReadAllText(TestData.Path("demo-model", "heldout.ids.txt"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();

        var ids = model.Tokenizer.Encode(text, addSpecial: false);

        Assert.True(expected.Length > 10_000, "the whole held-out set, not a sample");
        Assert.Equal(expected, ids);
        Assert.Equal(text, model.Tokenizer.Decode(ids));
    }

    [Fact]
    public void Both_formats_describe_the_same_small_llama()
    {
        using var gguf = LanguageModel.Load(Gguf);
        using var hf = LanguageModel.Load(HuggingFace);
        Assert.True(new FileInfo(Gguf).Length <= 30 << 20);
        Assert.Equal(2048, gguf.Config.VocabSize);
        Assert.True(gguf.Config.ContextLength >= 256);
        Assert.True(gguf.Config.TiedEmbeddings);
        Assert.Equal(gguf.Config.LayerCount, hf.Config.LayerCount);
        Assert.Equal(gguf.Config.KvHeadCount, hf.Config.KvHeadCount);
        Assert.NotNull(gguf.ChatTemplate);
        Assert.Contains("<|im_start|>", hf.ChatTemplate);
        Assert.Contains(gguf.Tokenizer.Encode("<|im_end|>", addSpecial: false)[0], gguf.StopTokenIds);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Greedy_decoding_gives_the_training_script_text(string source)
    {
        using var model = LanguageModel.Load(source);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.Path("demo-model", "greedy.json")));
        foreach (var sample in doc.RootElement.EnumerateObject())
        {
            var (ids, _) = Greedy(model, sample.Name, 40);
            Assert.Equal(sample.Value.GetString(), model.Tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void The_two_formats_give_the_same_logits()
    {
        using var gguf = LanguageModel.Load(Gguf);
        using var hf = LanguageModel.Load(HuggingFace);
        var (ggufIds, ggufLogits) = Greedy(gguf, "A computer", 8);
        var (hfIds, hfLogits) = Greedy(hf, "A computer", 8);
        Assert.Equal(ggufIds, hfIds);
        for (var step = 0; step < ggufLogits.Length; step++)
            for (var v = 0; v < ggufLogits[step].Length; v++)
                Assert.True(Math.Abs(ggufLogits[step][v] - hfLogits[step][v]) <= 1e-3, $"step {step} token {v}: {ggufLogits[step][v]} vs {hfLogits[step][v]}");
    }

    /// <summary>Greedy continuation of BOS + prompt, stopping at a stop token, with every step's logits.</summary>
    static (int[] Ids, float[][] Logits) Greedy(LanguageModel model, string prompt, int max)
    {
        var network = model.Network;
        var promptIds = model.Tokenizer.Encode(prompt);
        using var workers = new CpuWorkers(2);
        using var pool = new KvPagePool(network.KvShape(KvCacheType.F32), 16, 64);
        using var sequence = new KvPageTable(pool);
        var scratch = new ForwardScratch();
        var batch = new ForwardBatch();
        batch.AddRange(promptIds, 0, sequence, logitsForLast: true);
        var ids = new List<int>();
        var logits = new List<float[]>();
        while (ids.Count < max)
        {
            logits.Add(network.Forward(batch, scratch, workers).ToArray());
            var next = Sampler.ArgMax(logits[^1]);
            if (model.StopTokenIds.Contains(next)) break;
            ids.Add(next);
            batch.Clear();
            batch.Add(next, promptIds.Length + ids.Count - 1, sequence, wantLogits: true);
        }
        return ([.. ids], [.. logits]);
    }
}
