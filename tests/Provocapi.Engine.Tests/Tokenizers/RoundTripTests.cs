using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>Decoding gives back the encoded text wherever the algorithm loses nothing (byte-level BPE, SentencePiece with byte fallback).</summary>
public class RoundTripTests
{
    public static TheoryData<string, int> LosslessCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var vocabulary in VocabularyFixtures.Vocabularies())
        {
            if (VocabularyFixtures.Load(vocabulary) is WordPieceTokenizer) continue;
            for (var i = 0; i < VocabularyFixtures.CasesOf(vocabulary).Count; i++) data.Add(vocabulary, i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public void Decode_of_encode_is_the_text(string vocabulary, int index)
    {
        var text = VocabularyFixtures.CasesOf(vocabulary)[index].Text;
        var tokenizer = VocabularyFixtures.Load(vocabulary);

        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addSpecial: false)));
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addSpecial: true), skipSpecial: true));
    }

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public void Streaming_one_id_at_a_time_gives_the_same_text_without_replacement_characters(string vocabulary, int index)
    {
        var text = VocabularyFixtures.CasesOf(vocabulary)[index].Text;
        var tokenizer = VocabularyFixtures.Load(vocabulary);
        var ids = tokenizer.Encode(text, addSpecial: true);

        var decoder = tokenizer.CreateStreamingDecoder();
        var pieces = ids.Select(decoder.Append).Append(decoder.Flush()).ToList();

        Assert.Equal(text, string.Concat(pieces));
        Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
    }

    [Fact]
    public void SentencePiece_drops_only_the_space_it_added()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-llama-spm.gguf");

        Assert.Equal(" Hello", tokenizer.Decode(tokenizer.Encode(" Hello", addSpecial: false)));
        Assert.Equal("Hello", tokenizer.Decode(tokenizer.Encode("Hello", addSpecial: true), skipSpecial: true));
        // Shown, the BOS comes first, so the word's own space stays (as llama.cpp and Hugging Face decode it).
        Assert.Equal("<s> Hello", tokenizer.Decode(tokenizer.Encode("Hello", addSpecial: true)));
    }

    [Fact]
    public void WordPiece_decodes_words_separated_by_spaces()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-bert-bge.gguf");

        var ids = tokenizer.Encode("Hello world, this is unbelievable!");

        Assert.Equal("hello world , this is unbelievable !", tokenizer.Decode(ids, skipSpecial: true));
        Assert.Equal("[CLS] hello world , this is unbelievable ! [SEP]", tokenizer.Decode(ids));
    }
}
