using System.Buffers;
using System.Text;
using Provocapi.Engine.Formats.Gguf;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Turns text into token ids and back. Instances are immutable once loaded (apart from
/// <see cref="AddEndOfGenerationIds"/>, meant for load time) and safe to use from several threads at once.
/// </summary>
public abstract class Tokenizer
{
    /// <summary>
    /// Texts of tokens that end a turn in well-known chat formats; llama.cpp's vocabulary loader treats them as
    /// end-of-generation too, whatever the file's eos id says.
    /// </summary>
    static readonly string[] EndOfTurnTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>"];

    readonly SpecialTokenMatcher _specialTokens;
    readonly HashSet<int> _endOfGeneration = [];
    readonly byte[]?[] _pieces;

    private protected Tokenizer(Vocabulary vocabulary, SpecialTokenSettings settings, SpecialTokenMatcher? specialTokens = null)
    {
        Vocabulary = vocabulary;
        BosId = settings.BosId;
        EosId = settings.EosId;
        AddBos = settings.AddBos && settings.BosId != null;
        AddEos = settings.AddEos && settings.EosId != null;
        _specialTokens = specialTokens ?? new SpecialTokenMatcher(vocabulary);
        _pieces = new byte[vocabulary.Count][];
        if (EosId is int eos) _endOfGeneration.Add(eos);
        AddEndOfGenerationIds(settings.EndOfGenerationIds);
        foreach (var text in EndOfTurnTexts)
            if (vocabulary.IdOf(text) is int id && vocabulary.Type(id) != TokenType.Normal) _endOfGeneration.Add(id);
    }

    internal Vocabulary Vocabulary { get; }

    public abstract int VocabSize { get; }

    public int? BosId { get; }
    public int? EosId { get; }

    /// <summary>Whether <see cref="Encode"/> with addSpecial puts <see cref="BosId"/> first.</summary>
    public bool AddBos { get; }

    /// <summary>Whether <see cref="Encode"/> with addSpecial puts <see cref="EosId"/> last.</summary>
    public bool AddEos { get; }

    /// <summary>Ids that end generation: eos, end of turn, end of message, and any added with <see cref="AddEndOfGenerationIds"/>.</summary>
    public IReadOnlySet<int> EndOfGenerationIds => _endOfGeneration;

    /// <summary>Treats more ids as end of generation (e.g. the eos_token_id list of a Hugging Face generation_config.json). Call while loading, before sharing the tokenizer.</summary>
    public void AddEndOfGenerationIds(IEnumerable<int> ids)
    {
        foreach (var id in ids)
        {
            if (!Vocabulary.Contains(id)) throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is outside the vocabulary of {Vocabulary.Count}");
            _endOfGeneration.Add(id);
        }
    }

    /// <summary>Whether <paramref name="id"/> is in the vocabulary; a model's output layer can have padding rows past it.</summary>
    public bool IsValid(int id) => Vocabulary.Contains(id);

    /// <param name="addSpecial">Add the begin and end markers the tokenizer calls for (<see cref="AddBos"/>, <see cref="AddEos"/>).</param>
    /// <param name="parseSpecial">Turn control tokens written in the text (such as "&lt;|im_end|&gt;") into their ids; user-defined tokens are matched either way.</param>
    /// <param name="literal">Stretches of the text, in order and not overlapping, where control and unknown tokens stay text
    /// even when <paramref name="parseSpecial"/> is on: what a user wrote inside a prompt rendered by a chat template
    /// (see <see cref="ControlTokenRanges"/>).</param>
    public int[] Encode(string text, bool addSpecial = true, bool parseSpecial = true, IReadOnlyList<Range>? literal = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (literal != null) CheckInOrder(literal, text.Length);
        var nextLiteral = 0;
        var output = new List<int>(text.Length / 3 + 4);
        if (addSpecial && AddBos) output.Add(BosId!.Value);
        var span = text.AsSpan();
        var position = 0;
        while (position < span.Length)
        {
            if (_specialTokens.IsEmpty || !TryFindToken(span, position, parseSpecial, literal, ref nextLiteral, out var match))
            {
                EncodeText(span[position..], position == 0, output);
                break;
            }
            if (match.Start > position) EncodeText(span[position..match.Start], position == 0, output);
            output.Add(match.Id);
            position = match.End;
        }
        if (addSpecial && AddEos) output.Add(EosId!.Value);
        return output.ToArray();
    }

    /// <summary>Where control and unknown tokens are written out in <paramref name="text"/> (user-defined tokens, which
    /// plain text matches too, are left out): the stretches a chat prompt marks as literal when a user wrote them.</summary>
    public IReadOnlyList<Range> ControlTokenRanges(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new List<Range>();
        var position = 0;
        while (!_specialTokens.IsEmpty && _specialTokens.TryFind(text, position, parseSpecial: true, out var match))
        {
            if (Vocabulary.Type(match.Id) != TokenType.UserDefined) ranges.Add(match.TokenStart..match.TokenEnd);
            position = match.TokenEnd;
        }
        return ranges;
    }

    /// <summary>The first token written in text[from..], passing over control tokens written inside a literal stretch
    /// (a user-defined token starting there still counts, as it would in plain text). Tokens are found in text order, so
    /// <paramref name="nextLiteral"/> moves past the stretches that end before them and each is looked at once.</summary>
    bool TryFindToken(ReadOnlySpan<char> text, int from, bool parseSpecial, IReadOnlyList<Range>? literal, ref int nextLiteral, out SpecialTokenMatch match)
    {
        while (_specialTokens.TryFind(text, from, parseSpecial, out match))
        {
            if (literal == null) return true;
            while (nextLiteral < literal.Count && literal[nextLiteral].End.GetOffset(text.Length) <= match.TokenStart) nextLiteral++;
            if (nextLiteral == literal.Count || literal[nextLiteral].Start.GetOffset(text.Length) >= match.TokenEnd) return true;
            if (_specialTokens.TryMatchAt(text, match.TokenStart, from, parseSpecial: false, out var userDefined))
            {
                match = userDefined;
                return true;
            }
            from = match.TokenStart + 1;
        }
        return false;
    }

    static void CheckInOrder(IReadOnlyList<Range> ranges, int length)
    {
        var end = 0;
        foreach (var range in ranges)
        {
            var (offset, count) = range.GetOffsetAndLength(length);
            if (offset < end) throw new ArgumentException($"literal range {range} overlaps or comes before the one ahead of it", "literal");
            end = offset + count;
        }
    }

    /// <summary>
    /// Appends the ids of a stretch of text holding no special token; each call starts afresh, after the start of the
    /// text or a special token (<paramref name="atTextStart"/> tells which).
    /// </summary>
    private protected abstract void EncodeText(ReadOnlySpan<char> text, bool atTextStart, List<int> output);

    /// <param name="skipSpecial">Leave out control, unknown and unused tokens instead of writing their text.</param>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false)
    {
        var buffer = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        var atStart = true;
        foreach (var id in ids)
        {
            var piece = Piece(id, skipSpecial);
            if (piece.IsEmpty) continue;
            if (atStart)
            {
                piece = WithoutPrefixSpace(piece);
                atStart = false;
            }
            buffer.Write(piece);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <param name="skipSpecial">Leave out control, unknown and unused tokens.</param>
    /// <param name="atTextStart">
    /// The ids begin the text (a whole sequence, from BOS or the first word), so a space the tokenizer added in front
    /// of the first word is dropped. Pass false when decoding a continuation, such as generated ids after a prompt.
    /// </param>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecial = true, bool atTextStart = true) => new(this, skipSpecial, atTextStart);

    /// <summary>The token's string in the vocabulary, as stored (with ▁ or byte-level characters).</summary>
    public string TokenText(int id) => Vocabulary.Text(CheckId(id));

    public TokenType TokenTypeOf(int id) => Vocabulary.Type(CheckId(id));

    /// <summary>Whether the token is a control token (BOS, EOS, chat markers).</summary>
    public bool IsSpecial(int id) => Vocabulary.Type(CheckId(id)) == TokenType.Control;

    /// <summary>The id of a token by its vocabulary text, or null.</summary>
    public int? TokenId(string text) => Vocabulary.IdOf(text);

    /// <summary>Reads the tokenizer stored in a GGUF file's metadata (tokenizer.ggml.*).</summary>
    /// <exception cref="Formats.ModelFormatException">The file has no tokenizer, or one of a kind this engine does not implement, or its tokenizer metadata is inconsistent.</exception>
    public static Tokenizer FromGguf(GgufFile file) => GgufTokenizerLoader.Load(file);

    /// <summary>Reads a Hugging Face tokenizer folder: tokenizer.json, or a BERT vocab.txt, with tokenizer_config.json beside it.</summary>
    /// <exception cref="Formats.ModelFormatException">No usable tokenizer is in the folder.</exception>
    public static Tokenizer FromHuggingFaceFolder(string folder) => HuggingFaceTokenizerLoader.Load(folder);

    /// <summary>Whether decoding drops the space in front of the first word of a text, because encoding adds one (SentencePiece's dummy prefix, WordPiece's word separator).</summary>
    private protected virtual bool AddsPrefixSpace => false;

    /// <summary>The bytes a token decodes to, special tokens included: their text.</summary>
    private protected abstract byte[] DecodePiece(int id);

    /// <summary>The bytes token <paramref name="id"/> contributes to decoded text; empty for a skipped special token.</summary>
    internal ReadOnlySpan<byte> Piece(int id, bool skipSpecial)
    {
        CheckId(id);
        if (skipSpecial && Vocabulary.Type(id) is TokenType.Control or TokenType.Unknown or TokenType.Unused) return default;
        return _pieces[id] ??= DecodePiece(id);
    }

    /// <summary>The first piece of a decoded text, without the space encoding put in front of it.</summary>
    internal ReadOnlySpan<byte> WithoutPrefixSpace(ReadOnlySpan<byte> piece) =>
        AddsPrefixSpace && piece.Length > 0 && piece[0] == (byte)' ' ? piece[1..] : piece;

    int CheckId(int id) =>
        Vocabulary.Contains(id) ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary of {Vocabulary.Count}");
}
