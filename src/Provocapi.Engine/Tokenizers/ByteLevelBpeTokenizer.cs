using System.Buffers;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Byte-level BPE (GGUF tokenizer.ggml.model "gpt2"; Hugging Face BPE with a ByteLevel pre-tokenizer), as GPT-2: the text
/// is cut into pre-tokens by the model's split patterns, each pre-token's UTF-8 bytes become the printable characters of
/// <see cref="ByteLevelAlphabet"/>, and merges apply in rank order within each pre-token.
/// </summary>
internal sealed class ByteLevelBpeTokenizer : Tokenizer
{
    [ThreadStatic] static List<TextRange>? t_pieces;
    [ThreadStatic] static List<int>? t_ids;

    readonly MergeTable _merges;
    readonly PreTokenizer _preTokenizer;
    readonly bool _ignoreMerges;
    readonly bool _addPrefixSpace;
    readonly TextNormalizer? _normalizer;
    readonly int[] _byteIds = new int[256];
    readonly PieceCache _cache = new();

    /// <param name="ignoreMerges">A pre-token that is a token as a whole is that token, unmerged (Llama 3, tokenizer.json's ignore_merges).</param>
    /// <param name="addPrefixSpace">Put a space in front of text that does not start with one (tokenizer.json ByteLevel's add_prefix_space).</param>
    public ByteLevelBpeTokenizer(Vocabulary vocabulary, SpecialTokenSettings settings, MergeTable merges, PreTokenizer preTokenizer,
        bool ignoreMerges, bool addPrefixSpace = false, TextNormalizer? normalizer = null, SpecialTokenMatcher? specialTokens = null)
        : base(vocabulary, settings, specialTokens)
    {
        _merges = merges;
        _preTokenizer = preTokenizer;
        _ignoreMerges = ignoreMerges;
        _addPrefixSpace = addPrefixSpace;
        _normalizer = normalizer;
        for (var b = 0; b < 256; b++) _byteIds[b] = vocabulary.IdOf(ByteLevelAlphabet.CharOf((byte)b).ToString()) ?? -1;
    }

    public override int VocabSize => Vocabulary.Count;

    internal PreTokenizer PreTokenizer => _preTokenizer;

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atTextStart, List<int> output)
    {
        if (_normalizer != null || _addPrefixSpace)
        {
            var normalized = _normalizer?.Normalize(text.ToString()) ?? text.ToString();
            if (_addPrefixSpace && !normalized.StartsWith(' ')) normalized = " " + normalized;
            text = normalized;
        }
        var pieces = t_pieces ??= [];
        pieces.Clear();
        _preTokenizer.Split(text, pieces);
        foreach (var piece in pieces) EncodePiece(text.Slice(piece.Start, piece.Length), output);
        pieces.Clear();
    }

    void EncodePiece(ReadOnlySpan<char> piece, List<int> output)
    {
        if (_cache.TryGet(piece, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(piece);
        byte[]? rentedBytes = null;
        int[]? rentedIds = null;
        var bytes = byteCount <= 256 ? stackalloc byte[byteCount] : (rentedBytes = ArrayPool<byte>.Shared.Rent(byteCount)).AsSpan(0, byteCount);
        var symbols = byteCount <= 256 ? stackalloc int[byteCount] : (rentedIds = ArrayPool<int>.Shared.Rent(byteCount)).AsSpan(0, byteCount);
        try
        {
            Encoding.UTF8.GetBytes(piece, bytes);
            var ids = t_ids ??= [];
            ids.Clear();
            if (_ignoreMerges && WholeToken(bytes) is int whole) ids.Add(whole);
            else
            {
                for (var i = 0; i < bytes.Length; i++) symbols[i] = _byteIds[bytes[i]];
                BpeMerger.ForCurrentThread.Merge(symbols, _merges, ids);
            }
            output.AddRange(ids);
            _cache.Add(piece, ids.ToArray());
        }
        finally
        {
            if (rentedBytes != null) ArrayPool<byte>.Shared.Return(rentedBytes);
            if (rentedIds != null) ArrayPool<int>.Shared.Return(rentedIds);
        }
    }

    /// <summary>The token that spells the whole pre-token, if there is one (for ignore_merges).</summary>
    int? WholeToken(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 256) return null;
        Span<char> chars = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteLevelAlphabet.CharOf(bytes[i]);
        return Vocabulary.TryGetId(chars, out var id) ? id : null;
    }

    private protected override byte[] DecodePiece(int id)
    {
        var text = Vocabulary.Text(id);
        if (Vocabulary.Type(id) is not (TokenType.Normal or TokenType.Byte)) return Encoding.UTF8.GetBytes(text);
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            if (ByteLevelAlphabet.TryGetByte(text[i], out var b))
            {
                bytes.Add(b);
                continue;
            }
            // A character outside the byte alphabet (a hand-added token) stands for itself.
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
            var count = Encoding.UTF8.GetBytes(text.AsSpan(i, width), utf8);
            for (var k = 0; k < count; k++) bytes.Add(utf8[k]);
            i += width - 1;
        }
        return [.. bytes];
    }
}
