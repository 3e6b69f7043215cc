using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>BERT normalization and WordPiece, through the GGUF (▁ word starts) and vocab.txt (## continuations) spellings of the same vocabulary.</summary>
public class WordPieceTests
{
    static readonly Tokenizer Gguf = VocabularyFixtures.Load("ggml-vocab-bert-bge.gguf");
    static readonly Tokenizer VocabTxt = Tokenizer.FromHuggingFaceFolder(TestData.Path("models", "bert-wpm-d64", "hf-f32"));

    public static TheoryData<string> Spellings => new() { "gguf", "vocab.txt" };

    static Tokenizer Of(string spelling) => spelling == "gguf" ? Gguf : VocabTxt;

    static string[] Texts(Tokenizer tokenizer, string text) =>
        tokenizer.Encode(text, addSpecial: false).Select(tokenizer.TokenText).ToArray();

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Words_are_lowercased_stripped_of_accents_and_cut_longest_first(string spelling)
    {
        var tokenizer = Of(spelling);
        var expected = spelling == "gguf" ? new[] { "▁cafe", "▁token", "ization", "▁unbelievable" } : ["cafe", "token", "##ization", "unbelievable"];

        Assert.Equal(expected, Texts(tokenizer, "Café TOKENIZÄTION unbelievable"));
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Punctuation_and_cjk_ideographs_are_words_of_their_own(string spelling)
    {
        var tokenizer = Of(spelling);

        var ids = tokenizer.Encode("hi!你好,there", addSpecial: false);

        Assert.Equal(6, ids.Length);
        Assert.Equal(tokenizer.Encode("hi ! 你 好 , there", addSpecial: false), ids);
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Control_characters_vanish_and_odd_whitespace_separates(string spelling)
    {
        var tokenizer = Of(spelling);

        Assert.Equal(tokenizer.Encode("hello world", addSpecial: false), tokenizer.Encode("hel\u0000lo\u00A0\u200Bworld\u0007", addSpecial: false));
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Unmatchable_and_overlong_words_are_unknown(string spelling)
    {
        var tokenizer = Of(spelling);
        var unknown = tokenizer.TokenId("[UNK]")!.Value;

        Assert.Equal([unknown], tokenizer.Encode("🦙", addSpecial: false));
        Assert.Equal([unknown], tokenizer.Encode(new string('a', 101), addSpecial: false));
        Assert.NotEqual([unknown], tokenizer.Encode(new string('a', 100), addSpecial: false));
    }
}
