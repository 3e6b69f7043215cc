using System.Text;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>Chat's logprobs object: one entry per generated token with its UTF-8 bytes and the top alternatives.</summary>
public sealed record ChatLogprobs(IReadOnlyList<ChatTokenLogprob> Content)
{
    public static ChatLogprobs Of(Tokenizer tokenizer, IEnumerable<TokenLogprob> tokens) =>
        new(tokens.Select(t => new ChatTokenLogprob(Text(tokenizer, t.TokenId), t.Logprob, Bytes(tokenizer, t.TokenId),
            t.Top.Select(a => new ChatTopLogprob(Text(tokenizer, a.TokenId), a.Logprob, Bytes(tokenizer, a.TokenId))).ToList())).ToList());

    /// <summary>A token's text as it reads inside a reply (a SentencePiece word keeps its leading space).</summary>
    internal static string Text(Tokenizer tokenizer, int id)
    {
        var decoder = tokenizer.CreateStreamingDecoder(atTextStart: false);
        return decoder.Append(id) + decoder.Flush();
    }

    static IReadOnlyList<int> Bytes(Tokenizer tokenizer, int id) => Encoding.UTF8.GetBytes(Text(tokenizer, id)).Select(b => (int)b).ToList();
}

public sealed record ChatTokenLogprob(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogprob> TopLogprobs);

public sealed record ChatTopLogprob(string Token, float Logprob, IReadOnlyList<int> Bytes);

/// <summary>Legacy completions' logprobs object: parallel lists of tokens, their log-probabilities, the alternatives and text offsets.</summary>
public sealed record CompletionLogprobs(IReadOnlyList<string> Tokens, IReadOnlyList<float> TokenLogprobs,
    IReadOnlyList<IReadOnlyDictionary<string, float>> TopLogprobs, IReadOnlyList<int> TextOffset)
{
    /// <param name="offset">Where the first token's text starts in the choice's text (after an echoed prompt).</param>
    public static CompletionLogprobs Of(Tokenizer tokenizer, IReadOnlyList<TokenLogprob> tokens, int offset)
    {
        var texts = tokens.Select(t => ChatLogprobs.Text(tokenizer, t.TokenId)).ToList();
        var offsets = new List<int>(texts.Count);
        foreach (var text in texts)
        {
            offsets.Add(offset);
            offset += text.Length;
        }
        var top = tokens.Select(t => (IReadOnlyDictionary<string, float>)t.Top
            .GroupBy(a => ChatLogprobs.Text(tokenizer, a.TokenId)).ToDictionary(g => g.Key, g => g.Max(a => a.Logprob))).ToList();
        return new CompletionLogprobs(texts, tokens.Select(t => t.Logprob).ToList(), top, offsets);
    }
}
