using System.Buffers;
using System.Globalization;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// BPE over characters with SentencePiece's ▁ for spaces and byte fallback: Hugging Face tokenizer.json files of Llama 2,
/// Mistral and other SentencePiece models converted to merges (a BPE model with byte_fallback, behind either the legacy
/// normalizer Prepend(▁) + Replace(" ", ▁) or a Metaspace pre-tokenizer). Merges apply in rank order over the characters of
/// each word; a character missing from the vocabulary is spelled with its &lt;0xNN&gt; byte tokens (tokenizers' BPE::merge_word).
/// </summary>
internal sealed class MetaspaceBpeTokenizer : Tokenizer
{
    [ThreadStatic] static List<TextRange>? t_pieces;
    [ThreadStatic] static List<int>? t_symbols;
    [ThreadStatic] static List<int>? t_ids;

    readonly MergeTable _merges;
    readonly TextNormalizer? _normalizer;
    readonly bool _replaceSpaces;
    readonly MetaspacePrepend _prepend;
    readonly PreTokenizer? _preTokenizer;
    readonly bool _addsPrefixSpace;
    readonly int[] _byteIds = new int[256];
    readonly int? _unknownId;
    readonly bool _fuseUnknown;
    readonly bool _wordsMergeIndependently;
    readonly PieceCache _cache = new();

    /// <param name="normalizer">The legacy normalizer, which already turns spaces into ▁ and prepends one.</param>
    /// <param name="replaceSpaces">Turn spaces into ▁ (the Metaspace pre-tokenizer's job).</param>
    /// <param name="prepend">When the Metaspace pre-tokenizer puts a ▁ in front.</param>
    /// <param name="preTokenizer">Splitting after the ▁ replacement (Metaspace with split), or null to merge whole stretches.</param>
    /// <param name="addsPrefixSpace">The decoder strips the first space of the text (Strip or Metaspace decoder).</param>
    public MetaspaceBpeTokenizer(Vocabulary vocabulary, SpecialTokenSettings settings, MergeTable merges, TextNormalizer? normalizer,
        bool replaceSpaces, MetaspacePrepend prepend, PreTokenizer? preTokenizer, bool addsPrefixSpace, bool byteFallback,
        int? unknownId, bool fuseUnknown, SpecialTokenMatcher? specialTokens = null)
        : base(vocabulary, settings, specialTokens)
    {
        _merges = merges;
        _normalizer = normalizer;
        _replaceSpaces = replaceSpaces;
        _prepend = prepend;
        _preTokenizer = preTokenizer;
        _addsPrefixSpace = addsPrefixSpace;
        _unknownId = unknownId;
        _fuseUnknown = fuseUnknown;
        for (var b = 0; b < 256; b++) _byteIds[b] = byteFallback ? vocabulary.IdOf($"<0x{b:X2}>") ?? -1 : -1;
        _wordsMergeIndependently = Metaspace.WordsMergeIndependently(vocabulary);
    }

    public override int VocabSize => Vocabulary.Count;

    private protected override bool AddsPrefixSpace => _addsPrefixSpace;

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atTextStart, List<int> output)
    {
        var normalized = _normalizer?.Normalize(text.ToString()) ?? text.ToString();
        if (_replaceSpaces) normalized = normalized.Replace(' ', Metaspace.Marker);
        if ((_prepend == MetaspacePrepend.Always || _prepend == MetaspacePrepend.First && atTextStart)
            && normalized.Length > 0 && normalized[0] != Metaspace.Marker)
            normalized = Metaspace.Marker + normalized;

        var span = normalized.AsSpan();
        if (_preTokenizer != null)
        {
            var pieces = t_pieces ??= [];
            pieces.Clear();
            _preTokenizer.Split(span, pieces);
            foreach (var piece in pieces) EncodePiece(span.Slice(piece.Start, piece.Length), cache: true, output);
            pieces.Clear();
        }
        else if (_wordsMergeIndependently)
        {
            for (var start = 0; start < span.Length;)
            {
                var end = Metaspace.WordEnd(span, start);
                EncodePiece(span[start..end], cache: true, output);
                start = end;
            }
        }
        else EncodePiece(span, cache: false, output);
    }

    void EncodePiece(ReadOnlySpan<char> piece, bool cache, List<int> output)
    {
        if (cache && _cache.TryGet(piece, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        var symbols = t_symbols ??= [];
        symbols.Clear();
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < piece.Length;)
        {
            var width = char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1;
            var character = piece.Slice(i, width);
            i += width;
            if (Vocabulary.TryGetId(character, out var id))
            {
                symbols.Add(id);
                continue;
            }
            var count = Encoding.UTF8.GetBytes(character, utf8);
            var first = symbols.Count;
            for (var k = 0; k < count && _byteIds[utf8[k]] >= 0; k++) symbols.Add(_byteIds[utf8[k]]);
            if (symbols.Count - first == count) continue;
            symbols.RemoveRange(first, symbols.Count - first);
            if (_unknownId is not int unknown) continue;
            // fuse_unk: a run of unknown characters is one unknown token.
            if (!_fuseUnknown || first == 0 || symbols[first - 1] != unknown) symbols.Add(unknown);
        }
        var ids = t_ids ??= [];
        ids.Clear();
        var rented = ArrayPool<int>.Shared.Rent(symbols.Count);
        try
        {
            symbols.CopyTo(rented);
            BpeMerger.ForCurrentThread.Merge(rented.AsSpan(0, symbols.Count), _merges, ids);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
        output.AddRange(ids);
        if (cache) _cache.Add(piece, ids.ToArray());
    }

    private protected override byte[] DecodePiece(int id)
    {
        var text = Vocabulary.Text(id);
        return Vocabulary.Type(id) switch
        {
            TokenType.Byte when text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal)
                                && byte.TryParse(text.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b) => [b],
            TokenType.Normal => Encoding.UTF8.GetBytes(text.Replace(Metaspace.Marker, ' ')),
            _ => Encoding.UTF8.GetBytes(text),
        };
    }
}
