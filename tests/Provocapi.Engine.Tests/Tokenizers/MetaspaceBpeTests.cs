using System.Text;
using System.Text.Json;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>
/// A SentencePiece vocabulary converted to a tokenizer.json BPE model, the way transformers' LlamaConverter does it
/// (merges from every split of every piece whose halves are pieces, ordered by the joined piece's score), must encode
/// like the SentencePiece model: that is what the llama-spm vectors were generated from.
/// </summary>
public sealed class MetaspaceBpeTests(MetaspaceBpeTests.ConvertedVocabulary converted) : IClassFixture<MetaspaceBpeTests.ConvertedVocabulary>
{
    /// <summary>The llama-spm vocabulary written out as two tokenizer.json folders: legacy normalizer form and Metaspace form.</summary>
    public sealed class ConvertedVocabulary : IDisposable
    {
        public string LegacyFolder { get; } = Directory.CreateTempSubdirectory("provocapi-test-").FullName;
        public string MetaspaceFolder { get; } = Directory.CreateTempSubdirectory("provocapi-test-").FullName;

        public ConvertedVocabulary()
        {
            using var file = GgufFile.Open(TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf"));
            var tokens = file.GetArray<string>("tokenizer.ggml.tokens")!;
            var scores = file.GetArray<float>("tokenizer.ggml.scores")!;
            File.WriteAllText(Path.Combine(LegacyFolder, "tokenizer.json"), TokenizerJson(tokens, scores, legacy: true));
            File.WriteAllText(Path.Combine(MetaspaceFolder, "tokenizer.json"), TokenizerJson(tokens, scores, legacy: false));
            File.WriteAllText(Path.Combine(LegacyFolder, "tokenizer_config.json"), """{"add_bos_token": true, "bos_token": "<s>", "eos_token": "</s>"}""");
        }

        public void Dispose()
        {
            Directory.Delete(LegacyFolder, recursive: true);
            Directory.Delete(MetaspaceFolder, recursive: true);
        }
    }

    [Fact]
    public void Legacy_normalizer_form_encodes_like_sentencepiece()
    {
        var hf = Tokenizer.FromHuggingFaceFolder(converted.LegacyFolder);

        Assert.IsType<MetaspaceBpeTokenizer>(hf);
        Assert.True(hf.AddBos);
        Assert.Equal(1, hf.BosId);
        Assert.Equal(2, hf.EosId);
        Assert.All(VocabularyFixtures.CasesOf("ggml-vocab-llama-spm.gguf"), c =>
        {
            Assert.Equal(c.Ids, hf.Encode(c.Text, addSpecial: false));
            Assert.Equal(c.Text, hf.Decode(hf.Encode(c.Text), skipSpecial: true));
        });
        Assert.Equal([1, 15043, 2, 15043], hf.Encode("Hello</s>Hello"));
    }

    [Fact]
    public void Metaspace_pre_tokenizer_form_encodes_like_sentencepiece_and_prepends_only_first()
    {
        var hf = Tokenizer.FromHuggingFaceFolder(converted.MetaspaceFolder);

        // Metaspace prepends ▁ only to text that does not already start with one (a space), unlike SentencePiece.
        Assert.All(VocabularyFixtures.CasesOf("ggml-vocab-llama-spm.gguf").Where(c => !c.Text.StartsWith(' ')),
            c => Assert.Equal(c.Ids, hf.Encode(c.Text, addSpecial: false)));
        Assert.Equal([29871], hf.Encode(" ", addSpecial: false));
        var streaming = hf.CreateStreamingDecoder();
        var ids = hf.Encode("Cửa Việt 🦙", addSpecial: false);
        Assert.Equal("Cửa Việt 🦙", string.Concat(ids.Select(streaming.Append)) + streaming.Flush());
        // prepend_scheme "first": no ▁ after a special token, unlike the legacy form and llama.cpp.
        var afterSpecial = hf.Encode("Hello</s>Hello", addSpecial: false);
        Assert.Equal([15043, 2], afterSpecial[..2]);
        Assert.Equal("Hello", hf.Decode(afterSpecial[2..]));
        Assert.DoesNotContain(15043, afterSpecial[2..]);
    }

    static string TokenizerJson(string[] tokens, float[] scores, bool legacy)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++) ids[tokens[i]] = i;
        var merges = new List<(string Left, string Right, float Score)>();
        for (var id = 0; id < tokens.Length; id++)
        {
            var piece = tokens[id];
            var local = new List<(string, string, float)>();
            for (var split = 1; split < piece.Length; split++)
            {
                if (char.IsLowSurrogate(piece[split])) continue;
                var (left, right) = (piece[..split], piece[split..]);
                if (ids.ContainsKey(left) && ids.ContainsKey(right)) local.Add((left, right, scores[id]));
            }
            merges.AddRange(local.OrderBy(m => ids[m.Item1]).ThenBy(m => ids[m.Item2]));
        }
        var ordered = merges.OrderByDescending(m => m.Score).ToList();

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteStartArray("added_tokens");
            for (var id = 0; id < 3; id++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", tokens[id]);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (legacy)
            {
                WriteRaw(json, "normalizer", """{"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}""");
                json.WriteNull("pre_tokenizer");
                WriteRaw(json, "decoder", """{"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}""");
                WriteRaw(json, "post_processor", """{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}""");
            }
            else
            {
                json.WriteNull("normalizer");
                WriteRaw(json, "pre_tokenizer", """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}""");
                WriteRaw(json, "decoder", """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}""");
            }
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteString("unk_token", "<unk>");
            json.WriteBoolean("fuse_unk", true);
            json.WriteBoolean("byte_fallback", true);
            json.WriteStartObject("vocab");
            for (var id = 0; id < tokens.Length; id++) json.WriteNumber(tokens[id], id);
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right, _) in ordered)
            {
                json.WriteStartArray();
                json.WriteStringValue(left);
                json.WriteStringValue(right);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static void WriteRaw(Utf8JsonWriter json, string name, string value)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(value);
    }
}
