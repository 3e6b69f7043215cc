using System.Text;
using System.Text.Json.Nodes;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>
/// Unigram (XLM-R's tokenizer) on a small hand-made tokenizer.json whose best segmentations are worked out by hand, plus
/// properties: decoding undoes encoding, and Viterbi's segmentation scores as high as the best of all segmentations.
/// </summary>
public sealed class UnigramTests : IDisposable
{
    /// <summary>Pieces and log-probabilities. "▁hello" scores below "▁hell" + "o", so Viterbi must beat longest-match.</summary>
    static readonly (string Piece, float Score)[] Pieces =
    [
        ("<s>", 0), ("<pad>", 0), ("</s>", 0), ("<unk>", 0),
        ("▁", -2.0f), ("▁hello", -7.0f), ("▁hell", -4.0f), ("o", -2.0f), ("▁he", -3.0f), ("llo", -3.5f), ("l", -2.5f),
        ("h", -3.0f), ("e", -3.0f), ("▁world", -4.5f), ("w", -3.0f), ("or", -3.0f), ("ld", -3.0f), ("d", -3.0f), ("r", -3.0f),
        ("▁w", -3.0f), ("<0xC3>", -9.0f), ("<0xA9>", -9.0f),
    ];

    readonly string _folder = Path.Combine(Path.GetTempPath(), "provocapi-unigram-" + Guid.NewGuid().ToString("N"));

    public UnigramTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    Tokenizer Load(bool byteFallback = false, JsonNode? preTokenizer = null)
    {
        var vocab = new JsonArray(Pieces.Select(p => (JsonNode)new JsonArray(p.Piece, p.Score)).ToArray());
        var special = new JsonArray(Enumerable.Range(0, 4).Select(i => (JsonNode)new JsonObject { ["id"] = i, ["content"] = Pieces[i].Piece, ["special"] = true }).ToArray());
        var json = new JsonObject
        {
            ["added_tokens"] = special,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Precompiled", ["precompiled_charsmap"] = CharsMap(("\uFF28", "h"), ("\u00B2", "ld")) },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["Regex"] = " {2,}" }, ["content"] = " " }),
            },
            ["pre_tokenizer"] = preTokenizer ?? Metaspace(),
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "</s>", ["type_id"] = 0 } }),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(0), ["tokens"] = new JsonArray("<s>") },
                    ["</s>"] = new JsonObject { ["id"] = "</s>", ["ids"] = new JsonArray(2), ["tokens"] = new JsonArray("</s>") },
                },
            },
            ["decoder"] = Metaspace(),
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = 3, ["vocab"] = vocab, ["byte_fallback"] = byteFallback },
        };
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), json.ToJsonString());
        return Tokenizer.FromHuggingFaceFolder(_folder);
    }

    static JsonObject Metaspace() => new() { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true };

    static string[] Segment(Tokenizer tokenizer, string text) => tokenizer.Encode(text, addSpecial: false).Select(tokenizer.TokenText).ToArray();

    [Fact]
    public void Viterbi_prefers_the_best_total_score_over_the_longest_piece()
    {
        var tokenizer = Load();

        // ▁hello alone scores −7.0; ▁hell + o scores −6.0; ▁he + llo −6.5.
        Assert.Equal(["▁hell", "o"], Segment(tokenizer, "hello"));
        // ▁world (−4.5) beats ▁w + or + ld (−9.0).
        Assert.Equal(["▁hell", "o", "▁world"], Segment(tokenizer, "hello world"));
        Assert.Equal(["▁world"], Segment(tokenizer, "world"));
        // "▁wor" has no piece: ▁w + or (−6.0).
        Assert.Equal(["▁w", "or"], Segment(tokenizer, "wor"));
    }

    [Fact]
    public void The_template_wraps_in_bos_and_eos()
    {
        var tokenizer = Load();

        Assert.Equal([0, 6, 7, 2], tokenizer.Encode("hello"));
    }

    [Fact]
    public void Uncovered_characters_are_one_fused_unknown_or_bytes_with_byte_fallback()
    {
        var tokenizer = Load();
        var bytes = Load(byteFallback: true);

        // é has no piece: ▁ + h + <unk>; a run of them is a single <unk>.
        Assert.Equal(["▁", "h", "<unk>"], Segment(tokenizer, "hé"));
        Assert.Equal(["▁", "h", "<unk>", "o"], Segment(tokenizer, "hééo"));
        Assert.Equal(["▁", "h", "<0xC3>", "<0xA9>", "<0xC3>", "<0xA9>", "o"], Segment(bytes, "hééo"));
        Assert.Equal("hééo", bytes.Decode(bytes.Encode("hééo", addSpecial: false)));
    }

    [Fact]
    public void The_declared_normalizer_applies_precompiled_rules_and_collapses_spaces()
    {
        var tokenizer = Load();

        // Fullwidth Ｈ maps to h and ² to "ld" by the compiled rules; runs of spaces become one.
        Assert.Equal(tokenizer.Encode("hello world"), tokenizer.Encode("\uFF28ello   wor\u00B2"));
    }

    [Fact]
    public void Whitespace_split_before_metaspace_drops_extra_spaces()
    {
        var tokenizer = Load(preTokenizer: new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(new JsonObject { ["type"] = "WhitespaceSplit" }, Metaspace()),
        });

        Assert.Equal(["▁hell", "o", "▁world"], Segment(tokenizer, " hello \t world "));
    }

    [Fact]
    public void Decoding_undoes_encoding()
    {
        var tokenizer = Load();
        var random = new Random(5);
        const string alphabet = "helowrd";
        for (var trial = 0; trial < 300; trial++)
        {
            var words = Enumerable.Range(0, random.Next(1, 4)).Select(_ => new string(Enumerable.Range(0, random.Next(1, 7)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
            var text = string.Join(' ', words);
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text), skipSpecial: true));
        }
    }

    [Fact]
    public void Viterbi_scores_as_high_as_the_best_of_every_segmentation()
    {
        var tokenizer = Load();
        var scores = Pieces.Skip(4).Where(p => !p.Piece.StartsWith("<0x", StringComparison.Ordinal)).ToDictionary(p => p.Piece, p => (double)p.Score);
        var random = new Random(9);
        const string alphabet = "helowrd";
        for (var trial = 0; trial < 300; trial++)
        {
            var word = new string(Enumerable.Range(0, random.Next(1, 9)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var ids = tokenizer.Encode(word, addSpecial: false);

            Assert.Equal("▁" + word, string.Concat(ids.Select(tokenizer.TokenText)));
            var ours = ids.Sum(id => scores[tokenizer.TokenText(id)]);
            Assert.Equal(BruteForceBest("▁" + word, scores), ours, 4);
        }
    }

    /// <summary>The highest score over every way to cut <paramref name="text"/> into pieces, by trying them all.</summary>
    static double BruteForceBest(string text, Dictionary<string, double> scores)
    {
        if (text.Length == 0) return 0;
        var best = double.NegativeInfinity;
        for (var length = 1; length <= text.Length; length++)
            if (scores.TryGetValue(text[..length], out var score))
                best = Math.Max(best, score + BruteForceBest(text[length..], scores));
        return best;
    }

    /// <summary>
    /// A precompiled_charsmap for rules whose keys start with different bytes: a Darts-clone double array in which each
    /// key byte's node sends its child into a fresh block of 256 units, the last node's leaf unit holding the offset of
    /// the NUL-terminated replacement.
    /// </summary>
    static string CharsMap(params (string From, string To)[] rules)
    {
        var units = new uint[256 * (2 + rules.Sum(r => Encoding.UTF8.GetByteCount(r.From)))];
        var replacements = new List<byte>();
        var nextBlock = 256;
        units[0] = 256u << 10;                       // the root's children are at 256 ^ byte
        foreach (var (from, to) in rules)
        {
            var key = Encoding.UTF8.GetBytes(from);
            var value = replacements.Count;
            replacements.AddRange(Encoding.UTF8.GetBytes(to));
            replacements.Add(0);
            var position = 256 ^ key[0];
            for (var i = 0; i < key.Length; i++)
            {
                nextBlock += 256;
                var offset = (uint)(position ^ nextBlock);
                var last = i == key.Length - 1;
                units[position] = key[i] | (last ? 1u << 8 : 0) | offset << 10;
                if (last) units[nextBlock] = 0x80000000u | (uint)value;
                else position = nextBlock ^ key[i + 1];
            }
        }
        var blob = new List<byte>(BitConverter.GetBytes((uint)(units.Length * 4)));
        foreach (var unit in units) blob.AddRange(BitConverter.GetBytes(unit));
        blob.AddRange(replacements);
        return Convert.ToBase64String(blob.ToArray());
    }
}
