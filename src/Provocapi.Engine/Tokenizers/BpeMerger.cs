namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Rank-ordered BPE over one pre-token: repeatedly joins the adjacent pair with the lowest merge rank, leftmost first on a
/// tie, until no pair has a merge (Sennrich et al.; Hugging Face's Word::merge_all and llama.cpp's llm_tokenizer_bpe_session
/// run the same loop with a priority queue over a linked list of symbols, as here). Keeps its buffers between calls; one per thread.
/// </summary>
internal sealed class BpeMerger
{
    [ThreadStatic] static BpeMerger? t_current;

    int[] _ids = new int[64];
    int[] _prev = new int[64];
    int[] _next = new int[64];
    readonly MergeHeap<Candidate> _heap = new();

    public static BpeMerger ForCurrentThread => t_current ??= new BpeMerger();

    /// <summary>Merges <paramref name="symbols"/> (token ids; -1 for a symbol with no token, which never merges) and appends the result, minus unmatched symbols.</summary>
    public void Merge(ReadOnlySpan<int> symbols, MergeTable merges, List<int> output)
    {
        var n = symbols.Length;
        if (n == 0) return;
        if (n == 1)
        {
            if (symbols[0] >= 0) output.Add(symbols[0]);
            return;
        }
        EnsureCapacity(n);
        for (var i = 0; i < n; i++)
        {
            _ids[i] = symbols[i];
            _prev[i] = i - 1;
            _next[i] = i + 1 < n ? i + 1 : -1;
        }
        _heap.Clear();
        for (var i = 0; i + 1 < n; i++) Consider(i, i + 1, merges);

        while (_heap.Count > 0)
        {
            var top = _heap.Pop();
            // Skip candidates made stale by an earlier merge on either side.
            if (_ids[top.Left] != top.LeftId || _next[top.Left] != top.Right || _ids[top.Right] != top.RightId) continue;
            _ids[top.Left] = top.Result;
            var after = _next[top.Right];
            _next[top.Left] = after;
            if (after >= 0) _prev[after] = top.Left;
            _ids[top.Right] = int.MinValue;
            if (_prev[top.Left] >= 0) Consider(_prev[top.Left], top.Left, merges);
            if (after >= 0) Consider(top.Left, after, merges);
        }

        for (var i = 0; i >= 0; i = _next[i])
            if (_ids[i] >= 0) output.Add(_ids[i]);
    }

    void Consider(int left, int right, MergeTable merges)
    {
        var leftId = _ids[left];
        var rightId = _ids[right];
        if (leftId < 0 || rightId < 0 || !merges.TryGet(leftId, rightId, out var rank, out var result)) return;
        _heap.Push(new Candidate(rank, left, right, leftId, rightId, result));
    }

    void EnsureCapacity(int n)
    {
        if (_ids.Length >= n) return;
        var size = Math.Max(n, _ids.Length * 2);
        _ids = new int[size];
        _prev = new int[size];
        _next = new int[size];
    }



    readonly record struct Candidate(int Rank, int Left, int Right, int LeftId, int RightId, int Result) : IMergeCandidate<Candidate>
    {
        public bool Precedes(Candidate other) => Rank < other.Rank || Rank == other.Rank && Left < other.Left;
    }
}
