using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

public class SpecialTokenTests
{
    [Fact]
    public void Control_tokens_in_text_are_parsed_only_when_asked()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");

        var parsed = tokenizer.Encode("Hello<|endoftext|> world", addSpecial: false);
        var literal = tokenizer.Encode("Hello<|endoftext|> world", addSpecial: false, parseSpecial: false);

        Assert.Equal([15496, 50256, 995], parsed);
        Assert.DoesNotContain(50256, literal);
        Assert.Equal("Hello<|endoftext|> world", tokenizer.Decode(literal));
    }

    [Fact]
    public void Control_tokens_inside_a_literal_stretch_stay_text_and_outside_it_are_parsed()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-phi-3.gguf");
        var user = tokenizer.TokenId("<|user|>")!.Value;
        var end = tokenizer.TokenId("<|end|>")!.Value;
        const string written = "Hi<|end|><|assistant|>ok";
        var text = $"<|user|>{written}<|end|>";
        var ranges = tokenizer.ControlTokenRanges(text);
        Assert.Equal([0..8, 10..17, 17..30, 32..39], ranges.Select(r => r.Start.Value..r.End.Value));

        // The two control tokens the user wrote are literal; the template's own, around them, are not.
        var ids = tokenizer.Encode(text, addSpecial: false, literal: [ranges[1], ranges[2]]);

        Assert.Equal([user, .. tokenizer.Encode(written, addSpecial: false, parseSpecial: false), end], ids);
        Assert.Equal(1, ids.Count(id => id == end));
        Assert.Equal(4, tokenizer.Encode(text, addSpecial: false).Count(tokenizer.IsSpecial));
    }

    [Fact]
    public void Literal_stretches_must_come_in_order_and_inside_the_text()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");

        Assert.Throws<ArgumentException>(() => tokenizer.Encode("<|endoftext|>a<|endoftext|>", literal: [14..27, 0..13]));
        Assert.Throws<ArgumentException>(() => tokenizer.Encode("<|endoftext|>a<|endoftext|>", literal: [0..13, 5..20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Encode("abc", literal: [0..9]));
        Assert.Equal([50256, 64], tokenizer.Encode("<|endoftext|>a<|endoftext|>", literal: [14..27])[..2]);
    }

    [Fact]
    public void User_defined_tokens_inside_a_literal_stretch_still_count()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-deepseek-llm.gguf");
        var user = tokenizer.TokenId("ø")!.Value;

        Assert.Empty(tokenizer.ControlTokenRanges("smørbrød"));
        Assert.Contains(user, tokenizer.Encode("smørbrød", addSpecial: false, literal: [0..8]));
    }

    [Fact]
    public void Text_either_side_of_a_special_token_is_encoded_on_its_own()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-llama-spm.gguf");

        var ids = tokenizer.Encode("Hi</s>Hi", addSpecial: false);

        var hi = tokenizer.Encode("Hi", addSpecial: false);
        Assert.Equal([.. hi, 2, .. hi], ids);
    }

    [Fact]
    public void Longest_special_token_wins_at_a_position()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-starcoder.gguf");
        var fimPrefix = tokenizer.TokenId("<fim_prefix>")!.Value;

        var ids = tokenizer.Encode("<fim_prefix>x", addSpecial: false);

        Assert.Equal(fimPrefix, ids[0]);
        Assert.True(tokenizer.IsSpecial(fimPrefix));
    }

    [Fact]
    public void User_defined_tokens_are_matched_even_without_parsing_special_tokens()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-deepseek-llm.gguf");
        var user = tokenizer.TokenId("ø")!.Value;
        Assert.Equal(TokenType.UserDefined, tokenizer.TokenTypeOf(user));

        Assert.Contains(user, tokenizer.Encode("smørbrød", addSpecial: false, parseSpecial: false));
        Assert.Equal("smørbrød", tokenizer.Decode(tokenizer.Encode("smørbrød", addSpecial: false)));
    }

    [Fact]
    public void SentencePiece_adds_bos_by_default()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-llama-spm.gguf");

        Assert.True(tokenizer.AddBos);
        Assert.False(tokenizer.AddEos);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.Equal([1, 15043, 3186], tokenizer.Encode("Hello world"));
        Assert.Equal([15043, 3186], tokenizer.Encode("Hello world", addSpecial: false));
        Assert.True(tokenizer.IsSpecial(1));
        Assert.False(tokenizer.IsSpecial(15043));
    }

    [Fact]
    public void Gpt2_adds_bos_only_when_the_file_says_so()
    {
        var gpt2 = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");
        var deepseek = VocabularyFixtures.Load("ggml-vocab-deepseek-llm.gguf");

        Assert.False(gpt2.AddBos);
        Assert.Equal(50256, gpt2.BosId);
        Assert.Equal([15496], gpt2.Encode("Hello"));
        Assert.True(deepseek.AddBos);
        Assert.Equal(100000, deepseek.Encode("Hello")[0]);
    }

    [Fact]
    public void Bert_wraps_the_sequence_in_cls_and_sep()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-bert-bge.gguf");

        Assert.Equal([101, 7592, 2088, 102], tokenizer.Encode("Hello world"));
        Assert.Equal([7592, 2088], tokenizer.Encode("Hello world", addSpecial: false));
        Assert.Equal([101, 101, 7592, 102], tokenizer.Encode("[CLS] hello", addSpecial: true));
    }

    [Fact]
    public void End_of_generation_holds_eos_and_end_of_turn_tokens()
    {
        var phi3 = VocabularyFixtures.Load("ggml-vocab-phi-3.gguf");
        var gpt2 = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");

        Assert.Contains(32000, phi3.EndOfGenerationIds);
        Assert.Contains(phi3.TokenId("<|end|>")!.Value, phi3.EndOfGenerationIds);
        Assert.Equal([50256], gpt2.EndOfGenerationIds.Order());
    }

    [Fact]
    public void End_of_generation_ids_can_be_added_and_are_checked()
    {
        using var file = Provocapi.Engine.Formats.Gguf.GgufFile.Open(Provocapi.Tests.TestData.Path("tokenizers", "ggml-vocab-gpt-2.gguf"));
        var tokenizer = Tokenizer.FromGguf(file);

        tokenizer.AddEndOfGenerationIds([198]);

        Assert.Contains(198, tokenizer.EndOfGenerationIds);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.AddEndOfGenerationIds([tokenizer.VocabSize]));
    }

    [Fact]
    public void Out_of_range_ids_are_rejected()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");

        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([tokenizer.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenText(-1));
        Assert.False(tokenizer.IsValid(tokenizer.VocabSize));
        Assert.Equal("Ġthe", tokenizer.TokenText(262));
    }

    [Fact]
    public void Phi3_special_tokens_swallow_the_whitespace_after_them()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-phi-3.gguf");
        var user = tokenizer.TokenId("<|user|>")!.Value;
        var end = tokenizer.TokenId("<|end|>")!.Value;

        Assert.Equal([user, 15043, end], tokenizer.Encode("<|user|>\nHello<|end|>\n", addSpecial: false));
    }

    [Fact]
    public void Encoding_is_safe_from_several_threads()
    {
        var jobs = VocabularyFixtures.Vocabularies()
            .SelectMany(v => VocabularyFixtures.CasesOf(v).Select(c => (Vocabulary: v, c.Text, c.Ids)))
            .ToList();
        var work = Enumerable.Range(0, 8).SelectMany(_ => jobs).ToList();

        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = 4 }, job =>
            Assert.Equal(job.Ids, VocabularyFixtures.Load(job.Vocabulary).Encode(job.Text, addSpecial: false)));
    }
}
