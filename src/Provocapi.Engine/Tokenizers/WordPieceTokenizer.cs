using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// WordPiece (BERT; GGUF tokenizer.ggml.model "bert"): after <see cref="BertTextSplitter"/>, each word is cut greedily into
/// the longest vocabulary entries from the left, pieces after the first marked as continuations; a word that cannot be
/// cut, or is longer than 100 characters, is the unknown token (Google's WordpieceTokenizer, Hugging Face's WordPiece).
/// Vocabularies mark word starts and continuations either as BERT's vocab.txt does (continuations prefixed "##") or as
/// llama.cpp's GGUF conversion does (word starts prefixed ▁, continuations bare).
/// </summary>
internal sealed class WordPieceTokenizer : Tokenizer
{
    const int MaxWordChars = 100;

    [ThreadStatic] static StringBuilder? t_normalized;
    [ThreadStatic] static List<TextRange>? t_words;

    readonly BertTextSplitter _splitter;
    readonly string _wordPrefix;
    readonly string _continuationPrefix;
    readonly int _unknownId;
    readonly int _maxWordChars;

    public WordPieceTokenizer(Vocabulary vocabulary, SpecialTokenSettings settings, BertTextSplitter splitter,
        string wordPrefix, string continuationPrefix, int unknownId, int maxWordChars = MaxWordChars, SpecialTokenMatcher? specialTokens = null)
        : base(vocabulary, settings, specialTokens)
    {
        _splitter = splitter;
        _wordPrefix = wordPrefix;
        _continuationPrefix = continuationPrefix;
        _unknownId = unknownId;
        _maxWordChars = maxWordChars;
    }

    public override int VocabSize => Vocabulary.Count;

    private protected override bool AddsPrefixSpace => true;

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atTextStart, List<int> output)
    {
        var normalized = t_normalized ??= new StringBuilder();
        var words = t_words ??= [];
        words.Clear();
        _splitter.Split(text, normalized, words);
        Span<char> chars = normalized.Length <= 1024 ? stackalloc char[normalized.Length] : new char[normalized.Length];
        normalized.CopyTo(0, chars, normalized.Length);
        foreach (var word in words) EncodeWord(chars.Slice(word.Start, word.Length), output);
    }

    void EncodeWord(ReadOnlySpan<char> word, List<int> output)
    {
        var runes = 0;
        foreach (var _ in word.EnumerateRunes()) runes++;
        if (runes > _maxWordChars)
        {
            output.Add(_unknownId);
            return;
        }
        var first = output.Count;
        Span<char> candidate = stackalloc char[word.Length + Math.Max(_wordPrefix.Length, _continuationPrefix.Length)];
        var start = 0;
        while (start < word.Length)
        {
            var prefix = start == 0 ? _wordPrefix : _continuationPrefix;
            prefix.CopyTo(candidate);
            var end = word.Length;
            var found = -1;
            while (end > start)
            {
                var length = prefix.Length + end - start;
                word[start..end].CopyTo(candidate[prefix.Length..]);
                if (Vocabulary.TryGetId(candidate[..length], out found)) break;
                found = -1;
                end -= char.IsLowSurrogate(word[end - 1]) && end - 2 >= start ? 2 : 1;
            }
            if (found < 0)
            {
                output.RemoveRange(first, output.Count - first);
                output.Add(_unknownId);
                return;
            }
            output.Add(found);
            start = end;
        }
    }

    private protected override byte[] DecodePiece(int id)
    {
        var text = Vocabulary.Text(id);
        if (Vocabulary.Type(id) != TokenType.Normal) return Encoding.UTF8.GetBytes(" " + text);
        if (_continuationPrefix.Length > 0)
            return Encoding.UTF8.GetBytes(text.StartsWith(_continuationPrefix, StringComparison.Ordinal) ? text[_continuationPrefix.Length..] : " " + text);
        return Encoding.UTF8.GetBytes(text.StartsWith(_wordPrefix, StringComparison.Ordinal) ? " " + text[_wordPrefix.Length..] : text);
    }
}
