using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Tokenizers;

public class TokenizerLoadingErrorTests
{
    static ModelFormatException LoadFails(GgufTestFile contents)
    {
        var path = contents.Write();
        try
        {
            using var file = GgufFile.Open(path);
            return Assert.Throws<ModelFormatException>(() => Tokenizer.FromGguf(file));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_gguf_without_a_tokenizer_says_so()
    {
        var error = LoadFails(new GgufTestFile().Add("general.architecture", "llama"));

        Assert.Contains("no tokenizer", error.Message);
        Assert.Contains("tokenizer.ggml.model", error.Message);
    }

    [Fact]
    public void An_unknown_tokenizer_model_is_named()
    {
        var error = LoadFails(new GgufTestFile()
            .Add("tokenizer.ggml.model", "t5")
            .Add("tokenizer.ggml.tokens", ["a", "b"]));

        Assert.Contains("'t5'", error.Message);
        Assert.Contains("not supported", error.Message);
    }

    [Fact]
    public void Missing_tokens_are_named()
    {
        var error = LoadFails(new GgufTestFile().Add("tokenizer.ggml.model", "llama"));

        Assert.Contains("tokenizer.ggml.tokens", error.Message);
    }

    [Fact]
    public void A_gpt2_tokenizer_without_merges_is_rejected()
    {
        var error = LoadFails(new GgufTestFile()
            .Add("tokenizer.ggml.model", "gpt2")
            .Add("tokenizer.ggml.tokens", ["a", "b", "ab"]));

        Assert.Contains("tokenizer.ggml.merges", error.Message);
    }

    [Fact]
    public void Token_types_of_the_wrong_length_are_rejected()
    {
        var error = LoadFails(new GgufTestFile()
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", ["<unk>", "a"])
            .Add("tokenizer.ggml.token_type", [2]));

        Assert.Contains("tokenizer.ggml.token_type", error.Message);
    }

    [Fact]
    public void A_minimal_sentencepiece_vocabulary_loads_and_merges_by_score()
    {
        var path = new GgufTestFile()
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>", "▁", "a", "b", "ab", "▁ab", "<0x63>"])
            .Add("tokenizer.ggml.scores", [0f, 0f, 0f, -1f, -1f, -1f, -2f, -3f, 0f])
            .Add("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 1, 1, 1, 6])
            .Add("tokenizer.ggml.add_space_prefix", true)
            .Write();
        try
        {
            using var file = GgufFile.Open(path);
            var tokenizer = Tokenizer.FromGguf(file);

            Assert.Equal([1, 7, 8], tokenizer.Encode("abc"));
            Assert.Equal("abc", tokenizer.Decode([1, 7, 8], skipSpecial: true));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_folder_without_a_tokenizer_says_so()
    {
        var folder = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        try
        {
            var error = Assert.Throws<ModelFormatException>(() => Tokenizer.FromHuggingFaceFolder(folder));
            Assert.Contains("tokenizer.json", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_unsupported_tokenizer_json_model_is_named()
    {
        var folder = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), """{"model": {"type": "WordLevel", "vocab": {"a": 0}}}""");
            var error = Assert.Throws<ModelFormatException>(() => Tokenizer.FromHuggingFaceFolder(folder));
            Assert.Contains("'WordLevel'", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_fixture_model_files_carry_their_tokenizers()
    {
        foreach (var path in Directory.GetFiles(TestData.Path("models"), "*.gguf", SearchOption.AllDirectories))
        {
            using var file = GgufFile.Open(path);
            Assert.True(Tokenizer.FromGguf(file).VocabSize > 1000, path);
        }
    }
}
