using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// SentencePiece BPE (GGUF tokenizer.ggml.model "llama"), as llama.cpp's llm_tokenizer_spm: spaces become ▁, a ▁ is put
/// in front of the text (add_space_prefix), then the adjacent pair whose joined text is the best-scoring token is
/// merged until none is left (SentencePiece's bpe_model.cc); characters no token covers are spelled with &lt;0xNN&gt; byte tokens.
/// </summary>
internal sealed class SentencePieceTokenizer : Tokenizer
{
    readonly bool _addSpacePrefix;
    readonly int[] _byteIds = new int[256];
    readonly int? _unknownId;
    readonly bool _splitAtWords;
    readonly PieceCache _cache = new();

    public SentencePieceTokenizer(Vocabulary vocabulary, SpecialTokenSettings settings, bool addSpacePrefix, int? unknownId,
        SpecialTokenMatcher? specialTokens = null)
        : base(vocabulary, settings, specialTokens)
    {
        _addSpacePrefix = addSpacePrefix;
        _unknownId = unknownId;
        for (var b = 0; b < 256; b++)
        {
            // llama.cpp's byte_to_token: the <0xNN> token, else the one-character token of an ASCII byte.
            var id = vocabulary.IdOf($"<0x{b:X2}>") ?? (b < 0x80 ? vocabulary.IdOf(((char)b).ToString()) : null);
            _byteIds[b] = id ?? -1;
        }
        _splitAtWords = Metaspace.WordsMergeIndependently(vocabulary);
    }

    public override int VocabSize => Vocabulary.Count;

    private protected override bool AddsPrefixSpace => _addSpacePrefix;

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atTextStart, List<int> output)
    {
        // Every stretch of text gets the dummy prefix, after a special token too (llama.cpp's is_prev_special).
        var length = text.Length + (_addSpacePrefix ? 1 : 0);
        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var escaped = rented.AsSpan(0, length);
            if (_addSpacePrefix) escaped[0] = Metaspace.Marker;
            text.Replace(escaped[(_addSpacePrefix ? 1 : 0)..], ' ', Metaspace.Marker);
            if (!_splitAtWords)
            {
                SymbolMerger.ForCurrentThread.Merge(escaped, this, output);
                return;
            }
            for (var start = 0; start < escaped.Length;)
            {
                var end = Metaspace.WordEnd(escaped, start);
                EncodeWord(escaped[start..end], output);
                start = end;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    void EncodeWord(ReadOnlySpan<char> word, List<int> output)
    {
        if (_cache.TryGet(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        var first = output.Count;
        SymbolMerger.ForCurrentThread.Merge(word, this, output);
        _cache.Add(word, CollectionsMarshal.AsSpan(output)[first..].ToArray());
    }

    /// <summary>Appends the byte tokens spelling a symbol no token covers.</summary>
    void AppendBytes(ReadOnlySpan<char> symbol, List<int> output)
    {
        Span<byte> bytes = stackalloc byte[8];
        var count = Encoding.UTF8.GetBytes(symbol, bytes);
        for (var i = 0; i < count; i++)
        {
            var id = _byteIds[bytes[i]];
            if (id >= 0) output.Add(id);
            else if (_unknownId is int unknown) output.Add(unknown);
        }
    }

    private protected override byte[] DecodePiece(int id)
    {
        var text = Vocabulary.Text(id);
        switch (Vocabulary.Type(id))
        {
            case TokenType.Byte when text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal)
                                   && byte.TryParse(text.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b):
                return [b];
            case TokenType.Normal:
                return Encoding.UTF8.GetBytes(text.Replace(Metaspace.Marker, ' '));
            default:
                return Encoding.UTF8.GetBytes(text);
        }
    }

    /// <summary>The merge loop of llama.cpp's llm_tokenizer_spm_session over one stretch of escaped text; one per thread, buffers kept.</summary>
    sealed class SymbolMerger
    {
        [ThreadStatic] static SymbolMerger? t_current;

        int[] _start = new int[64];
        int[] _length = new int[64];
        int[] _prev = new int[64];
        int[] _next = new int[64];
        readonly MergeHeap<Bigram> _heap = new();

        public static SymbolMerger ForCurrentThread => t_current ??= new SymbolMerger();

        public void Merge(ReadOnlySpan<char> text, SentencePieceTokenizer tokenizer, List<int> output)
        {
            if (text.IsEmpty) return;
            EnsureCapacity(text.Length);
            var count = 0;
            for (var i = 0; i < text.Length; count++)
            {
                var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                _start[count] = i;
                _length[count] = width;
                _prev[count] = count - 1;
                _next[count] = i + width < text.Length ? count + 1 : -1;
                i += width;
            }
            var vocabulary = tokenizer.Vocabulary;
            _heap.Clear();
            for (var i = 1; i < count; i++) TryAddBigram(i - 1, i, text, vocabulary);

            while (_heap.Count > 0)
            {
                var bigram = _heap.Pop();
                var left = bigram.Left;
                var right = bigram.Right;
                // One side already merged elsewhere: the pair no longer exists.
                if (_length[left] == 0 || _length[right] == 0 || _length[left] + _length[right] != bigram.Size) continue;
                _length[left] += _length[right];
                _length[right] = 0;
                _next[left] = _next[right];
                if (_next[right] >= 0) _prev[_next[right]] = left;
                TryAddBigram(_prev[left], left, text, vocabulary);
                TryAddBigram(left, _next[left], text, vocabulary);
            }

            for (var i = 0; i >= 0; i = _next[i])
            {
                var symbol = text.Slice(_start[i], _length[i]);
                if (vocabulary.TryGetId(symbol, out var id)) output.Add(id);
                else tokenizer.AppendBytes(symbol, output);
            }
        }

        void TryAddBigram(int left, int right, ReadOnlySpan<char> text, Vocabulary vocabulary)
        {
            if (left < 0 || right < 0) return;
            var size = _length[left] + _length[right];
            if (!vocabulary.TryGetId(text.Slice(_start[left], size), out var id)) return;
            _heap.Push(new Bigram(vocabulary.Score(id), left, right, size));
        }

        void EnsureCapacity(int n)
        {
            if (_start.Length >= n) return;
            var size = Math.Max(n, _start.Length * 2);
            _start = new int[size];
            _length = new int[size];
            _prev = new int[size];
            _next = new int[size];
        }



        /// <summary>A candidate merge; the best score goes first, then the leftmost (llama.cpp's llm_bigram_spm comparator).</summary>
        readonly record struct Bigram(float Score, int Left, int Right, int Size) : IMergeCandidate<Bigram>
        {
            public bool Precedes(Bigram other) => Score > other.Score || Score == other.Score && Left < other.Left;
        }
    }
}
