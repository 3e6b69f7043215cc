using System.Text.Json;
using System.Text.Json.Nodes;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Tokenizers;

public class HuggingFaceTokenizerTests
{
    static readonly string[] ExtraTexts =
    [
        "Once upon a time, in a land far away",
        "The quick brown fox jumps over the lazy dog. It's 3:45pm; I'd've said 1,234,567.89!",
        "    indented code:\n\tif (x != null) { return x?.Value ?? -1; }\r\n",
        "Emoji 🦙🚀 and 𝒜𝓁𝓅𝒽𝒶 and 𠀀 CJK ext-B, Ünïcödé naïve café",
        "<|endoftext|>special at start and middle <|endoftext|> end",
        "mixed\u00A0spaces\u3000and\u2028separators",
    ];

    public static TheoryData<string> ByteLevelFolders => new() { "llama-bpe-d64", "qwen2-bpe-d96" };

    static IEnumerable<string> AllTexts() => VocabularyFixtures.SampleTexts().Concat(ExtraTexts);

    [Theory]
    [MemberData(nameof(ByteLevelFolders))]
    public void Tokenizer_json_matches_the_gpt2_gguf_vocabulary(string model)
    {
        var hf = Tokenizer.FromHuggingFaceFolder(TestData.Path("models", model, "hf-f32"));
        var gguf = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");

        Assert.IsType<ByteLevelBpeTokenizer>(hf);
        Assert.Equal(gguf.VocabSize, hf.VocabSize);
        foreach (var text in AllTexts())
        {
            Assert.Equal(gguf.Encode(text, addSpecial: false), hf.Encode(text, addSpecial: false));
            Assert.Equal(gguf.Encode(text), hf.Encode(text));
        }
        var expected = VocabularyFixtures.CasesOf("ggml-vocab-gpt-2.gguf");
        Assert.All(expected, c => Assert.Equal(c.Ids, hf.Encode(c.Text, addSpecial: false)));
    }

    [Theory]
    [MemberData(nameof(ByteLevelFolders))]
    public void Tokenizer_json_reads_markers_from_the_config(string model)
    {
        var hf = Tokenizer.FromHuggingFaceFolder(TestData.Path("models", model, "hf-f32"));

        Assert.False(hf.AddBos);
        Assert.Equal(50256, hf.BosId);
        Assert.Equal(50256, hf.EosId);
        Assert.True(hf.IsSpecial(50256));
        Assert.Contains(50256, hf.EndOfGenerationIds);
    }

    [Fact]
    public void Reference_prompts_encode_as_the_model_fixtures_say()
    {
        using var references = JsonDocument.Parse(File.ReadAllText(TestData.Path("models", "references.json")));
        foreach (var entry in references.RootElement.EnumerateArray())
        {
            var name = entry.GetProperty("model").GetProperty("name").GetString()!;
            var text = entry.GetProperty("text").GetString()!;
            var expected = entry.GetProperty("text_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            foreach (var path in Directory.GetFiles(TestData.Path("models", name), "*.gguf"))
            {
                using var file = GgufFile.Open(path);
                Assert.Equal(expected, Tokenizer.FromGguf(file).Encode(text));
            }
            var folder = TestData.Path("models", name, "hf-f32");
            if (Directory.Exists(folder)) Assert.Equal(expected, Tokenizer.FromHuggingFaceFolder(folder).Encode(text));
        }
    }

    [Fact]
    public void Bert_vocab_txt_folder_matches_the_bert_gguf_vocabularies()
    {
        var folder = TestData.Path("models", "bert-wpm-d64", "hf-f32");
        var hf = Tokenizer.FromHuggingFaceFolder(folder);
        using var file = GgufFile.Open(TestData.Path("models", "bert-wpm-d64", "bert-wpm-d64-f32.gguf"));
        var gguf = Tokenizer.FromGguf(file);

        Assert.IsType<WordPieceTokenizer>(hf);
        Assert.Equal(101, hf.BosId);
        Assert.Equal(102, hf.EosId);
        foreach (var text in AllTexts())
        {
            Assert.Equal(gguf.Encode(text), hf.Encode(text));
            Assert.Equal(gguf.Decode(gguf.Encode(text)), hf.Decode(hf.Encode(text)));
        }
        Assert.All(VocabularyFixtures.CasesOf("ggml-vocab-bert-bge.gguf"), c => Assert.Equal(c.Ids, hf.Encode(c.Text, addSpecial: false)));

        using var references = JsonDocument.Parse(File.ReadAllText(TestData.Path("models", "bert-wpm-d64", "references.json")));
        foreach (var c in references.RootElement.GetProperty("cases").EnumerateArray())
        {
            var expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(expected, hf.Encode(c.GetProperty("text").GetString()!));
            Assert.Equal(expected, gguf.Encode(c.GetProperty("text").GetString()!));
        }
    }

    [Fact]
    public void Split_pre_tokenizer_merge_pairs_and_template_bos_are_read()
    {
        var source = JsonNode.Parse(File.ReadAllText(TestData.Path("models", "llama-bpe-d64", "hf-f32", "tokenizer.json")))!;
        source["pre_tokenizer"] = JsonNode.Parse($$"""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": {{JsonSerializer.Serialize(SplitPatterns.Llama3)}}}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
            """);
        source["post_processor"] = JsonNode.Parse("""
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [], "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [50256], "tokens": ["<|endoftext|>"]}}}
            """);
        var merges = source["model"]!["merges"]!.AsArray();
        source["model"]!["merges"] = new JsonArray([.. merges.Select(m => (JsonNode)new JsonArray([.. m!.GetValue<string>().Split(' ').Select(p => (JsonNode)p)]))]);
        source["model"]!["ignore_merges"] = true;
        var folder = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), source.ToJsonString());
            var hf = Tokenizer.FromHuggingFaceFolder(folder);
            var gguf = (ByteLevelBpeTokenizer)VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");
            var llama3 = new ByteLevelBpeTokenizer(gguf.Vocabulary,
                new SpecialTokenSettings(50256, 50256, AddBos: true, AddEos: false, []),
                MergeTable.Build(ReadMerges(), gguf.Vocabulary), PreTokenizerCatalog.ForName("llama-bpe", out var ignoreMerges), ignoreMerges);

            Assert.True(hf.AddBos);
            Assert.Equal(50256, hf.BosId);
            foreach (var text in AllTexts()) Assert.Equal(llama3.Encode(text), hf.Encode(text));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static List<(string, string)> ReadMerges()
    {
        using var file = GgufFile.Open(TestData.Path("tokenizers", "ggml-vocab-gpt-2.gguf"));
        return file.GetArray<string>("tokenizer.ggml.merges")!.Select(l => MergeTable.TrySplitLine(l, out var m) ? m : throw new InvalidDataException(l)).ToList();
    }

    [Fact]
    public void Added_tokens_strip_the_whitespace_they_ask_for()
    {
        var source = JsonNode.Parse(File.ReadAllText(TestData.Path("models", "llama-bpe-d64", "hf-f32", "tokenizer.json")))!;
        source["added_tokens"]![0]!["lstrip"] = true;
        source["added_tokens"]![0]!["rstrip"] = true;
        var folder = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), source.ToJsonString());
            var hf = Tokenizer.FromHuggingFaceFolder(folder);

            Assert.Equal([64, 50256, 65], hf.Encode("a  <|endoftext|>\n b"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
