using System.Buffers;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Splits with a regular expression, by code point (see <see cref="BmpProjection"/>), keeping what lies between matches
/// according to a <see cref="SplitBehavior"/>, as Hugging Face tokenizers' Split pre-tokenizer and llama.cpp's
/// unicode_regex_split (which isolates matches and keeps the text between them) do.
/// </summary>
internal sealed class RegexSplitter : TextSplitter
{
    static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    readonly Regex _regex;
    readonly SplitBehavior _behavior;
    readonly bool _invert;

    /// <param name="pattern">An Oniguruma-dialect pattern, as found in tokenizer.json or llama.cpp.</param>
    /// <param name="invert">When set, the pieces between matches play the role of the matches.</param>
    public RegexSplitter(string pattern, SplitBehavior behavior = SplitBehavior.Isolated, bool invert = false)
    {
        Pattern = pattern;
        _regex = Compiled.GetOrAdd(pattern, static p =>
            new Regex(OnigurumaPattern.ToDotNet(p), RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.Multiline));
        _behavior = behavior;
        _invert = invert;
    }

    public string Pattern { get; }

    public override void Split(ReadOnlySpan<char> piece, int offset, List<TextRange> output)
    {
        if (!BmpProjection.NeedsProjection(piece))
        {
            Emit(piece, offset, null, output);
            return;
        }
        var projected = ArrayPool<char>.Shared.Rent(piece.Length);
        var offsets = ArrayPool<int>.Shared.Rent(piece.Length + 1);
        try
        {
            var length = BmpProjection.Project(piece, projected, offsets);
            Emit(projected.AsSpan(0, length), offset, offsets, output);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(projected);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>Emits the pieces of <paramref name="text"/>; <paramref name="offsets"/> maps projected indices back to the original ones.</summary>
    void Emit(ReadOnlySpan<char> text, int offset, int[]? offsets, List<TextRange> output)
    {
        var pending = new PendingPiece(offset, offsets, output);
        var position = 0;
        foreach (var match in _regex.EnumerateMatches(text))
        {
            if (match.Index > position) pending.Add(position, match.Index, _invert, _behavior);
            position = match.Index;
            // An empty match (a lookahead-only pattern such as SuperBPE's digit grouping) only marks a cut.
            if (match.Length == 0) continue;
            pending.Add(match.Index, match.Index + match.Length, !_invert, _behavior);
            position = match.Index + match.Length;
        }
        if (position < text.Length) pending.Add(position, text.Length, _invert, _behavior);
        pending.Finish();
    }

    /// <summary>
    /// Folds the alternating match / non-match segments into pieces as Hugging Face tokenizers' NormalizedString::split does,
    /// holding back the last piece while a following segment may still join it.
    /// </summary>
    struct PendingPiece(int offset, int[]? offsets, List<TextRange> output)
    {
        int _start = -1;
        int _end;
        bool _previousWasMatch;
        bool _joinNext;

        public void Add(int start, int end, bool isMatch, SplitBehavior behavior)
        {
            switch (behavior)
            {
                case SplitBehavior.Isolated:
                    Flush();
                    Set(start, end);
                    break;
                case SplitBehavior.Removed:
                    Flush();
                    if (!isMatch) Set(start, end);
                    break;
                case SplitBehavior.MergedWithPrevious:
                    if (isMatch && !_previousWasMatch && _start >= 0) _end = end;
                    else
                    {
                        Flush();
                        Set(start, end);
                    }
                    break;
                case SplitBehavior.MergedWithNext:
                    if (_joinNext && !isMatch) _end = end;
                    else
                    {
                        Flush();
                        Set(start, end);
                    }
                    _joinNext = isMatch;
                    break;
                case SplitBehavior.Contiguous:
                    if (isMatch && _previousWasMatch && _start >= 0) _end = end;
                    else
                    {
                        Flush();
                        Set(start, end);
                    }
                    break;
            }
            _previousWasMatch = isMatch;
        }

        public void Finish() => Flush();

        void Set(int start, int end)
        {
            _start = start;
            _end = end;
        }

        void Flush()
        {
            if (_start < 0) return;
            var start = offsets == null ? _start : offsets[_start];
            var end = offsets == null ? _end : offsets[_end];
            output.Add(new TextRange(offset + start, end - start));
            _start = -1;
        }
    }
}
