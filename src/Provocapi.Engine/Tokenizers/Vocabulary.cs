namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// The token strings of a tokenizer with their kinds and (for SentencePiece) scores, and the reverse map from text to id.
/// Lookups take spans so the hot loops never allocate a string to ask whether a piece is a token.
/// </summary>
internal sealed class Vocabulary
{
    readonly string[] _texts;
    readonly TokenType[] _types;
    readonly float[]? _scores;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;

    public Vocabulary(string[] texts, TokenType[] types, float[]? scores)
    {
        if (types.Length != texts.Length) throw new ArgumentException($"{types.Length} token types for {texts.Length} tokens", nameof(types));
        if (scores != null && scores.Length != texts.Length) throw new ArgumentException($"{scores.Length} scores for {texts.Length} tokens", nameof(scores));
        _texts = texts;
        _types = types;
        _scores = scores;
        var ids = new Dictionary<string, int>(texts.Length, StringComparer.Ordinal);
        // A text listed twice maps to its last id, as llama.cpp's vocabulary loader does.
        for (var i = 0; i < texts.Length; i++)
            if (texts[i].Length > 0) ids[texts[i]] = i;
        _ids = ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _texts.Length;

    public string Text(int id) => _texts[id];

    public TokenType Type(int id) => _types[id];

    public float Score(int id) => _scores == null ? 0f : _scores[id];

    public bool Contains(int id) => (uint)id < (uint)_texts.Length;

    public bool TryGetId(ReadOnlySpan<char> text, out int id) => _ids.TryGetValue(text, out id);

    public int? IdOf(string? text) => text != null && _ids.TryGetValue(text, out var id) ? id : null;
}
