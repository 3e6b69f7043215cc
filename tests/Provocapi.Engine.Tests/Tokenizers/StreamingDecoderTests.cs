using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Tests.Tokenizers;

public class StreamingDecoderTests
{
    [Theory]
    [InlineData(new byte[] { }, 0)]
    [InlineData(new byte[] { 0x41 }, 1)]
    [InlineData(new byte[] { 0xC3 }, 0)]
    [InlineData(new byte[] { 0x41, 0xE2, 0x82 }, 1)]
    [InlineData(new byte[] { 0xE2, 0x82, 0xAC }, 3)]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 }, 0)]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x81 }, 4)]
    [InlineData(new byte[] { 0xFF }, 1)]
    [InlineData(new byte[] { 0x80 }, 1)]
    [InlineData(new byte[] { 0xE0, 0x80 }, 2)] // an overlong start can never complete, so it is not held back
    public void Holds_back_only_an_incomplete_but_valid_sequence(byte[] bytes, int expected)
    {
        Assert.Equal(expected, StreamingDecoder.CompleteLength(bytes));
    }

    [Fact]
    public void Byte_level_bpe_emoji_split_over_tokens_appears_once_complete()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");
        var ids = tokenizer.Encode("🦙", addSpecial: false);
        Assert.True(ids.Length > 1);

        var decoder = tokenizer.CreateStreamingDecoder();
        var pieces = ids.Select(decoder.Append).ToList();

        Assert.All(pieces[..^1], p => Assert.Equal("", p));
        Assert.Equal("🦙", pieces[^1]);
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void SentencePiece_byte_fallback_is_held_back_until_complete()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-llama-spm.gguf");
        var ids = tokenizer.Encode("Cửa", addSpecial: false);

        var decoder = tokenizer.CreateStreamingDecoder();
        var pieces = ids.Select(decoder.Append).ToList();

        Assert.Equal("Cửa", string.Concat(pieces) + decoder.Flush());
        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
    }

    [Fact]
    public void A_continuation_keeps_its_first_space()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-llama-spm.gguf");
        var ids = tokenizer.Encode("Hello world", addSpecial: false);

        var start = tokenizer.CreateStreamingDecoder();
        var continuation = tokenizer.CreateStreamingDecoder(atTextStart: false);

        Assert.Equal("Hello world", string.Concat(ids.Select(start.Append)));
        Assert.Equal(" Hello world", string.Concat(ids.Select(continuation.Append)));
    }

    [Fact]
    public void Special_tokens_are_skipped_or_shown()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-gpt-2.gguf");
        var ids = tokenizer.Encode("a<|endoftext|>b");

        var skipping = tokenizer.CreateStreamingDecoder();
        var showing = tokenizer.CreateStreamingDecoder(skipSpecial: false);

        Assert.Equal("ab", string.Concat(ids.Select(skipping.Append)));
        Assert.Equal("a<|endoftext|>b", string.Concat(ids.Select(showing.Append)));
    }

    [Fact]
    public void Flush_returns_a_dangling_partial_character_as_replacement()
    {
        var tokenizer = VocabularyFixtures.Load("ggml-vocab-llama-spm.gguf");
        var decoder = tokenizer.CreateStreamingDecoder();
        var lead = tokenizer.TokenId("<0xE1>")!.Value;

        Assert.Equal("", decoder.Append(lead));
        Assert.Equal("\uFFFD", decoder.Flush());
    }
}
