using System.Globalization;
using System.Text;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

public class PreTokenizerTests
{
    /// <summary>Characters that exercise every branch of the GPT-2 and Llama 3 patterns, supplementary letters, digits and symbols included.</summary>
    static readonly string[] Alphabet =
    [
        "a", "b", "s", "t", "S", "T", "d", "l", "L", "r", "e", "E", "v", "m", "é", "ß", "Ж", "中", "ก", "ा",
        "0", "7", "٣", "½", "Ⅻ", "𝟘", "𝒜", "𠀀",
        " ", " ", " ", "\t", "\n", "\r", "\u00A0", "\u3000", "\u2028", "\u000B",
        "'", "'", "\"", ".", ",", "!", "?", "-", "(", "/", "_", "€", "🦙", "😁", "\u200D", "\uFE0F", "\u0301",
    ];

    static IEnumerable<string> RandomTexts(int seed, int count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 40);
            for (var k = 0; k < length; k++) builder.Append(Alphabet[random.Next(Alphabet.Length)]);
            yield return builder.ToString();
        }
    }

    static List<string> Pieces(TextSplitter splitter, string text)
    {
        var ranges = new List<TextRange>();
        new PreTokenizer([splitter]).Split(text, ranges);
        return ranges.Select(r => text.Substring(r.Start, r.Length)).ToList();
    }

    public static TheoryData<string> HandWrittenPatterns => new() { SplitPatterns.Gpt2, SplitPatterns.Llama3, SplitPatterns.Qwen2 };

    [Theory]
    [MemberData(nameof(HandWrittenPatterns))]
    public void Hand_written_splitters_match_the_regex_on_random_text(string pattern)
    {
        var scanner = SplitPatterns.SplitterFor(pattern);
        var regex = new RegexSplitter(pattern);
        Assert.IsNotType<RegexSplitter>(scanner);

        foreach (var text in RandomTexts(pattern.Length, 20000).Concat(VocabularyFixtures.SampleTexts()))
            Assert.Equal(Pieces(regex, text), Pieces(scanner, text));
    }

    [Fact]
    public void Supplementary_letters_count_as_letters()
    {
        Assert.Equal(["🦙a", " 𝒜𝒜", "𝟘𝟘𝟘", "𝟘"], Pieces(Llama3Splitter.Llama3, "🦙a 𝒜𝒜𝟘𝟘𝟘𝟘"));
        Assert.Equal(["🦙a", " 𝒜𝒜", "𝟘𝟘𝟘", "𝟘"], Pieces(new RegexSplitter(SplitPatterns.Llama3), "🦙a 𝒜𝒜𝟘𝟘𝟘𝟘"));
        Assert.Equal(["a", "🦙", " 𝒜𝒜"], Pieces(Gpt2Splitter.Instance, "a🦙 𝒜𝒜"));
    }

    [Fact]
    public void Split_behaviors_follow_hugging_face()
    {
        const string text = "the-final--countdown";
        Assert.Equal(["the", "-", "final", "-", "-", "countdown"], Pieces(new RegexSplitter("-", SplitBehavior.Isolated), text));
        Assert.Equal(["the", "final", "countdown"], Pieces(new RegexSplitter("-", SplitBehavior.Removed), text));
        Assert.Equal(["the-", "final-", "-", "countdown"], Pieces(new RegexSplitter("-", SplitBehavior.MergedWithPrevious), text));
        Assert.Equal(["the", "-final", "-", "-countdown"], Pieces(new RegexSplitter("-", SplitBehavior.MergedWithNext), text));
        Assert.Equal(["the", "-", "final", "--", "countdown"], Pieces(new RegexSplitter("-", SplitBehavior.Contiguous), text));
        Assert.Equal(["-", "-", "-"], Pieces(new RegexSplitter("-", SplitBehavior.Removed, invert: true), text));
    }

    [Fact]
    public void An_empty_match_marks_a_cut()
    {
        Assert.Equal(["1", "234", "567"], Pieces(new RegexSplitter(@"(?=(\d{3})+(?!\d))"), "1234567"));
    }

    public static TheoryData<string> CatalogNames => new()
    {
        "default", "gpt-2", "llama3", "llama-bpe", "llama-v3", "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon", "starcoder",
        "refact", "command-r", "qwen2", "stablelm2", "smollm", "mpt", "olmo", "gpt-4o", "tekken", "chameleon", "poro-chat", "bloom",
        "viking", "superbpe", "bailingmoe", "seed-coder", "dbrx", "smaug-bpe", "chatglm-bpe", "codeshell", "exaone", "no-such-pre",
    };

    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void Every_catalog_entry_compiles_and_splits_the_samples_losslessly(string name)
    {
        var preTokenizer = PreTokenizerCatalog.ForName(name, out _);

        foreach (var text in VocabularyFixtures.SampleTexts().Concat(RandomTexts(7, 500)))
        {
            var ranges = new List<TextRange>();
            preTokenizer.Split(text, ranges);
            Assert.Equal(text, string.Concat(ranges.Select(r => text.Substring(r.Start, r.Length))));
        }
    }

    [Fact]
    public void Names_map_to_their_pattern_families()
    {
        Assert.Same(Gpt2Splitter.Instance, Single(PreTokenizerCatalog.ForName("no-such-pre", out var unknownIgnores)));
        Assert.False(unknownIgnores);
        Assert.Same(Gpt2Splitter.Instance, Single(PreTokenizerCatalog.ForName("mpt", out _)));
        Assert.Same(Llama3Splitter.Llama3, Single(PreTokenizerCatalog.ForName("llama-bpe", out var llamaIgnores)));
        Assert.True(llamaIgnores);
        Assert.Same(Llama3Splitter.Qwen2, Single(PreTokenizerCatalog.ForName("qwen2", out _)));
        Assert.Same(Llama3Splitter.Qwen2, Single(PreTokenizerCatalog.ForName("stablelm2", out _)));
        Assert.Equal(2, PreTokenizerCatalog.ForName("smollm", out _).Steps.Count);
        Assert.Equal(SplitPatterns.Gpt4o, ((RegexSplitter)Single(PreTokenizerCatalog.ForName("gpt-4o", out _))).Pattern);
    }

    [Fact]
    public void Deepseek_letter_class_keeps_its_non_nfc_bounds_and_supplementary_ranges()
    {
        var letters = PreTokenizerCatalog.ForName("deepseek-llm", out _).Steps[1];

        Assert.Equal([" \u212Aelvin", " \u1F7Dx", " 𐐀𐐁", " 𝒜"], Pieces(letters, " \u212Aelvin \u1F7Dx 𐐀𐐁 𝒜"));
    }

    [Fact]
    public void Stand_ins_have_their_category_and_avoid_cjk_ranges()
    {
        foreach (var category in Enum.GetValues<UnicodeCategory>())
        {
            // No supplementary code point is a separator, a control character or a surrogate: those never need a stand-in.
            if (category is UnicodeCategory.Surrogate or UnicodeCategory.Control or UnicodeCategory.SpaceSeparator
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator) continue;
            var standIn = BmpProjection.StandIn(category);
            Assert.Equal(category, CharUnicodeInfo.GetUnicodeCategory(standIn));
            Assert.False(standIn is >= '\u0800' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7FF', $"{category}: U+{(int)standIn:X4}");
        }
    }

    static TextSplitter Single(PreTokenizer preTokenizer) => Assert.Single(preTokenizer.Steps);
}
