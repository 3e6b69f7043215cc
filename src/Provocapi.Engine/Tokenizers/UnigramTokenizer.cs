using System.Globalization;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// The Unigram language-model tokenizer (Kudo, 2018; SentencePiece's unigram model, Hugging Face's Unigram), as in
/// XLM-RoBERTa and bge-m3: after the normalizer and the Metaspace pre-tokenizer (spaces become ▁, one in front, a piece
/// per ▁), each piece is cut by Viterbi into the segmentation whose pieces' log-probabilities (the vocabulary scores)
/// sum highest. A character no piece covers is the unknown token, scored the lowest piece score minus 10 as
/// SentencePiece does; runs of unknowns fuse into one, or become &lt;0xNN&gt; byte tokens when byte fallback is on.
/// </summary>
internal sealed class UnigramTokenizer : Tokenizer
{
    /// <summary>SentencePiece's kUnkPenalty: an unknown character costs this much more than the rarest piece.</summary>
    const double UnknownPenalty = 10;

    readonly TextNormalizer? _normalizer;
    readonly bool _splitOnWhitespace;
    readonly MetaspacePrepend _prepend;
    readonly bool _splitAtMarker;
    readonly bool _addsPrefixSpace;
    readonly int _unknownId;
    readonly double _unknownScore;
    readonly int[]? _byteIds;
    readonly int _maxPieceLength;
    readonly PieceCache _cache = new();

    /// <param name="splitOnWhitespace">A WhitespaceSplit pre-tokenizer runs before Metaspace (older XLM-R tokenizer.json files).</param>
    /// <param name="prepend">When Metaspace puts a ▁ in front of a word.</param>
    /// <param name="splitAtMarker">Metaspace's split: every ▁ starts a piece of its own.</param>
    public UnigramTokenizer(Vocabulary vocabulary, SpecialTokenSettings settings, TextNormalizer? normalizer, bool splitOnWhitespace,
        MetaspacePrepend prepend, bool splitAtMarker, bool addsPrefixSpace, int unknownId, bool byteFallback, SpecialTokenMatcher? specialTokens = null)
        : base(vocabulary, settings, specialTokens)
    {
        _normalizer = normalizer;
        _splitOnWhitespace = splitOnWhitespace;
        _prepend = prepend;
        _splitAtMarker = splitAtMarker;
        _addsPrefixSpace = addsPrefixSpace;
        _unknownId = unknownId;
        var minScore = double.PositiveInfinity;
        for (var id = 0; id < vocabulary.Count; id++)
        {
            if (!IsPiece(id)) continue;
            minScore = Math.Min(minScore, vocabulary.Score(id));
            _maxPieceLength = Math.Max(_maxPieceLength, vocabulary.Text(id).Length);
        }
        _unknownScore = (double.IsInfinity(minScore) ? 0 : minScore) - UnknownPenalty;
        if (byteFallback)
        {
            _byteIds = new int[256];
            for (var b = 0; b < 256; b++) _byteIds[b] = vocabulary.IdOf($"<0x{b:X2}>") ?? -1;
        }
    }

    public override int VocabSize => Vocabulary.Count;

    private protected override bool AddsPrefixSpace => _addsPrefixSpace;

    /// <summary>Pieces Viterbi may use: normal and user-defined ones, not control, unknown or unused slots (SentencePiece's IsUnused/IsControl).</summary>
    bool IsPiece(int id) => id != _unknownId && Vocabulary.Type(id) is TokenType.Normal or TokenType.UserDefined or TokenType.Byte && Vocabulary.Text(id).Length > 0;

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atTextStart, List<int> output)
    {
        var normalized = _normalizer?.Normalize(text.ToString()) ?? text.ToString();
        var words = _splitOnWhitespace ? normalized.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : [normalized];
        for (var w = 0; w < words.Length; w++)
        {
            var word = words[w].Replace(' ', Metaspace.Marker);
            if ((_prepend == MetaspacePrepend.Always || _prepend == MetaspacePrepend.First && atTextStart && w == 0)
                && word.Length > 0 && word[0] != Metaspace.Marker)
                word = Metaspace.Marker + word;
            var span = word.AsSpan();
            if (!_splitAtMarker)
            {
                EncodePiece(span, output);
                continue;
            }
            for (var start = 0; start < span.Length;)
            {
                var end = start + 1;
                while (end < span.Length && span[end] != Metaspace.Marker) end++;
                EncodePiece(span[start..end], output);
                start = end;
            }
        }
    }

    void EncodePiece(ReadOnlySpan<char> piece, List<int> output)
    {
        if (piece.IsEmpty) return;
        if (_cache.TryGet(piece, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        var ids = Viterbi(piece);
        output.AddRange(ids);
        _cache.Add(piece, ids);
    }

    /// <summary>The best segmentation: best[e] is the highest score of any segmentation of piece[..e]; among equal
    /// scores the one found first (from the earliest start) wins, as in Hugging Face's lattice.</summary>
    int[] Viterbi(ReadOnlySpan<char> piece)
    {
        var n = piece.Length;
        var best = new double[n + 1];
        var from = new int[n + 1];
        var token = new int[n + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (var start = 0; start < n; start++)
        {
            if (char.IsLowSurrogate(piece[start]) || double.IsNegativeInfinity(best[start])) continue;
            var width = char.IsHighSurrogate(piece[start]) && start + 1 < n && char.IsLowSurrogate(piece[start + 1]) ? 2 : 1;
            var coveredOneCharacter = false;
            for (var length = 1; length <= Math.Min(_maxPieceLength, n - start); length++)
            {
                var end = start + length;
                if (end < n && char.IsLowSurrogate(piece[end])) continue;
                if (!Vocabulary.TryGetId(piece[start..end], out var id) || !IsPiece(id)) continue;
                if (length == width) coveredOneCharacter = true;
                Relax(start, end, id, best[start] + Vocabulary.Score(id));
            }
            if (!coveredOneCharacter) Relax(start, start + width, _unknownId, best[start] + _unknownScore);
        }

        var path = new List<(int Id, int Start, int End)>();
        for (var end = n; end > 0; end = from[end]) path.Add((token[end], from[end], end));
        path.Reverse();
        var ids = new List<int>(path.Count);
        for (var i = 0; i < path.Count; i++)
        {
            var (id, start, end) = path[i];
            if (id != _unknownId)
            {
                ids.Add(id);
                continue;
            }
            // A run of unknown characters is one unknown (fuse_unk), or its UTF-8 bytes with byte fallback.
            while (i + 1 < path.Count && path[i + 1].Id == _unknownId) end = path[++i].End;
            ids.AddRange(ByteTokens(piece[start..end]) ?? [_unknownId]);
        }
        return ids.ToArray();

        void Relax(int start, int end, int id, double score)
        {
            if (score <= best[end]) return;
            best[end] = score;
            from[end] = start;
            token[end] = id;
        }
    }

    int[]? ByteTokens(ReadOnlySpan<char> text)
    {
        if (_byteIds == null) return null;
        var bytes = Encoding.UTF8.GetBytes(text.ToArray());
        var ids = new int[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            if ((ids[i] = _byteIds[bytes[i]]) < 0) return null;
        return ids;
    }

    private protected override byte[] DecodePiece(int id)
    {
        var text = Vocabulary.Text(id);
        return Vocabulary.Type(id) switch
        {
            TokenType.Byte when text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal)
                                && byte.TryParse(text.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b) => [b],
            TokenType.Normal or TokenType.UserDefined => Encoding.UTF8.GetBytes(text.Replace(Metaspace.Marker, ' ')),
            _ => Encoding.UTF8.GetBytes(text),
        };
    }
}
