using System.Buffers;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Finds special and added tokens written out in text, leftmost first and longest at a position (Hugging Face's
/// AddedVocabulary, an Aho-Corasick automaton in LeftmostLongest mode; here a character trie entered only at characters
/// that start some token). Control and unknown tokens count only when special tokens are parsed; user-defined tokens
/// always count, as in both Hugging Face tokenizers and llama.cpp's tokenizer_st_partition.
/// </summary>
internal sealed class SpecialTokenMatcher
{
    readonly Dictionary<long, int> _edges = [];
    readonly List<int> _anyId = [-1];
    readonly List<int> _userDefinedId = [-1];
    readonly IReadOnlyDictionary<int, WhitespaceStrip> _strips;
    readonly SearchValues<char> _firstChars;

    /// <param name="strips">Tokens that swallow the whitespace beside them (tokenizer.json's lstrip and rstrip).</param>
    public SpecialTokenMatcher(Vocabulary vocabulary, IReadOnlyDictionary<int, WhitespaceStrip>? strips = null)
    {
        _strips = strips ?? new Dictionary<int, WhitespaceStrip>();
        var firstChars = new HashSet<char>();
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var type = vocabulary.Type(id);
            var text = vocabulary.Text(id);
            if (text.Length == 0 || type is not (TokenType.Control or TokenType.UserDefined or TokenType.Unknown)) continue;
            firstChars.Add(text[0]);
            var node = 0;
            foreach (var c in text)
            {
                var key = (long)node << 16 | c;
                if (!_edges.TryGetValue(key, out var child))
                {
                    child = _anyId.Count;
                    _anyId.Add(-1);
                    _userDefinedId.Add(-1);
                    _edges[key] = child;
                }
                node = child;
            }
            _anyId[node] = id;
            if (type == TokenType.UserDefined) _userDefinedId[node] = id;
        }
        _firstChars = SearchValues.Create([.. firstChars]);
        IsEmpty = firstChars.Count == 0;
    }

    public bool IsEmpty { get; }

    /// <summary>Finds the first token written in text[from..]; the match covers the whitespace the token strips.</summary>
    public bool TryFind(ReadOnlySpan<char> text, int from, bool parseSpecial, out SpecialTokenMatch match)
    {
        var i = from;
        while (i < text.Length)
        {
            var skip = text[i..].IndexOfAny(_firstChars);
            if (skip < 0) break;
            i += skip;
            if (TryMatchAt(text, i, from, parseSpecial, out match)) return true;
            i++;
        }
        match = default;
        return false;
    }

    /// <summary>The longest token written at text[at..], if any; its stripped whitespace reaches back no further than <paramref name="from"/>.</summary>
    public bool TryMatchAt(ReadOnlySpan<char> text, int at, int from, bool parseSpecial, out SpecialTokenMatch match)
    {
        var ids = parseSpecial ? _anyId : _userDefinedId;
        int node = 0, bestEnd = -1, bestId = -1;
        for (var j = at; j < text.Length && _edges.TryGetValue((long)node << 16 | text[j], out node); j++)
        {
            if (ids[node] >= 0)
            {
                bestEnd = j + 1;
                bestId = ids[node];
            }
        }
        if (bestId < 0)
        {
            match = default;
            return false;
        }
        var start = at;
        var end = bestEnd;
        if (_strips.TryGetValue(bestId, out var strip))
        {
            if (strip.Left) while (start > from && char.IsWhiteSpace(text[start - 1])) start--;
            if (strip.Right) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
        }
        match = new SpecialTokenMatch(bestId, start, end, at, bestEnd);
        return true;
    }
}
