using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>Every test vector of every vocabulary in tests/fixtures/tokenizers, one case each.</summary>
public class GgufVocabularyTests
{
    public static TheoryData<string, int> Cases => VocabularyFixtures.AllCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_test_vector_exactly(string vocabulary, int index)
    {
        var (text, expected) = VocabularyFixtures.CasesOf(vocabulary)[index];
        var tokenizer = VocabularyFixtures.Load(vocabulary);

        var ids = tokenizer.Encode(text, addSpecial: false);

        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Every_fixture_vocabulary_has_cases()
    {
        var vocabularies = VocabularyFixtures.Vocabularies().ToList();
        Assert.Contains("ggml-vocab-gpt-2.gguf", vocabularies);
        Assert.Contains("ggml-vocab-llama-spm.gguf", vocabularies);
        Assert.Contains("ggml-vocab-bert-bge.gguf", vocabularies);
        Assert.All(vocabularies, v => Assert.NotEmpty(VocabularyFixtures.CasesOf(v)));
    }

    [Theory]
    [InlineData("ggml-vocab-llama-spm.gguf", typeof(SentencePieceTokenizer))]
    [InlineData("ggml-vocab-phi-3.gguf", typeof(SentencePieceTokenizer))]
    [InlineData("ggml-vocab-gpt-2.gguf", typeof(ByteLevelBpeTokenizer))]
    [InlineData("ggml-vocab-starcoder.gguf", typeof(ByteLevelBpeTokenizer))]
    [InlineData("ggml-vocab-deepseek-llm.gguf", typeof(ByteLevelBpeTokenizer))]
    [InlineData("ggml-vocab-bert-bge.gguf", typeof(WordPieceTokenizer))]
    public void Picks_the_algorithm_the_file_names(string vocabulary, Type expected)
    {
        Assert.IsType(expected, VocabularyFixtures.Load(vocabulary));
    }
}
