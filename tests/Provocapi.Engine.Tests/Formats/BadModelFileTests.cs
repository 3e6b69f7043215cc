using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Formats;

/// <summary>Broken or unsupported files are a <see cref="ModelFormatException"/> that says what is wrong, never an index error or a crash.</summary>
public sealed unsafe class BadModelFileTests
{
    static ModelFormatException LoadFails(string path) => Assert.Throws<ModelFormatException>(() => LanguageModel.Load(path).Dispose());

    static string TempCopy(string fixture, Func<byte[], byte[]> change)
    {
        var path = Path.Combine(Path.GetTempPath(), $"provocapi-test-{Guid.NewGuid():N}{Path.GetExtension(fixture)}");
        File.WriteAllBytes(path, change(File.ReadAllBytes(TestData.Path(fixture.Split('/')))));
        return path;
    }

    [Fact]
    public void Missing_file() => Assert.Contains("no such file", LoadFails("/nonexistent/model.gguf").Message);

    [Fact]
    public void Not_a_gguf_file()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "definitely not a model, just some text that is long enough");
        Assert.Contains("bad magic", LoadFails(path).Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(4000)]
    [InlineData(1_000_000)]
    public void Truncated_gguf(int keepBytes)
    {
        var path = TempCopy("models/llama-spm-d64/llama-spm-d64-q8_0.gguf", b => b[..keepBytes]);
        Assert.Matches("truncated|past the end", LoadFails(path).Message);
    }

    [Fact]
    public void Corrupt_string_length_in_header()
    {
        // The first metadata key's length field sits at byte 24; make it absurd.
        var path = TempCopy("models/llama-spm-d64/llama-spm-d64-q8_0.gguf", b =>
        {
            BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(b, 24);
            return b;
        });
        Assert.Contains("runs past the end", LoadFails(path).Message);
    }

    [Fact]
    public void Unsupported_architecture_is_named()
    {
        var path = new GgufTestWriter().String("general.architecture", "mamba").Tensor("x", [32], 0, new byte[128]).WriteTemp();
        Assert.Contains("'mamba'", LoadFails(path).Message);
    }

    [Fact]
    public void Unknown_tensor_type_is_named()
    {
        var path = new GgufTestWriter()
            .String("general.architecture", "llama").UInt32("llama.embedding_length", 32).UInt32("llama.block_count", 1)
            .UInt32("llama.attention.head_count", 2).UInt32("llama.feed_forward_length", 64).UInt32("llama.context_length", 64)
            .UInt32("llama.vocab_size", 4).String("tokenizer.ggml.model", "gpt2")
            .Tensor("token_embd.weight", [32, 4], 77, new byte[512]).WriteTemp();
        using var file = GgufFile.Open(path);
        var e = Assert.Throws<ModelFormatException>(() => file.TensorData(file.Tensor("token_embd.weight")));
        Assert.Contains("type #77", e.Message);
    }

    [Fact]
    public void Tensor_larger_than_the_file()
    {
        var path = new GgufTestWriter().String("general.architecture", "llama")
            .Tensor("big", [4096, 4096], 0, new byte[64]).WriteTemp();
        Assert.Contains("runs past the end", Assert.Throws<ModelFormatException>(() => GgufFile.Open(path)).Message);
    }

    [Fact]
    public void A_tensor_offset_that_wraps_below_zero_is_past_the_end()
    {
        var path = new GgufTestWriter().String("general.architecture", "llama")
            .Tensor("x", [32], 0, new byte[128], offset: ulong.MaxValue - 31).WriteTemp();
        Assert.Contains("runs past the end", Assert.Throws<ModelFormatException>(() => GgufFile.Open(path)).Message);
    }

    public static TheoryData<uint, byte[]> BadAlignments => new()
    {
        { 8, [3, 0, 0, 0, 0, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c'] },
        { 10, BitConverter.GetBytes(ulong.MaxValue) },
        { 6, BitConverter.GetBytes(1e30f) },
        { 4, BitConverter.GetBytes(48u) },
        { 9, [0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(BadAlignments))]
    public void An_alignment_that_is_not_an_integer_power_of_two_is_named(uint type, byte[] value)
    {
        var path = new GgufTestWriter().String("general.architecture", "llama").Raw("general.alignment", type, value)
            .Tensor("x", [32], 0, new byte[128]).WriteTemp();
        Assert.Contains("general.alignment", Assert.Throws<ModelFormatException>(() => GgufFile.Open(path)).Message);
    }

    [Fact]
    public void Vocabulary_only_gguf_cannot_generate()
    {
        Assert.Contains("no tensors", LoadFails(TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf")).Message);
    }

    [Fact]
    public void Truncated_safetensors()
    {
        var folder = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        foreach (var f in Directory.GetFiles(TestData.Path("models", "llama-bpe-d64", "hf-f32")))
            File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        var weights = Path.Combine(folder, "model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100_000]);
        Assert.Matches("truncated|past the end|spans", LoadFails(folder).Message);
    }

    [Fact]
    public void Hugging_face_folder_without_config()
    {
        var folder = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        Assert.Contains("no config.json", LoadFails(folder).Message);
    }
}
