using System.Numerics.Tensors;

namespace Provocapi.Engine.Sampling;

/// <summary>
/// Picks tokens for one sequence: logit bias and penalties, then top-k, top-p (Holtzman et al.'s nucleus), min-p, temperature,
/// and a draw from a seeded generator, so the same seed gives the same output. Holds the sequence's token counts.
/// </summary>
public sealed class Sampler
{
    readonly SamplingOptions _options;
    readonly Random _random;
    readonly Dictionary<int, int> _outputCounts = [];
    readonly HashSet<int> _seen = [];
    float[] _work = [];
    int[] _order = [];

    public Sampler(SamplingOptions options, IEnumerable<int>? promptTokens = null)
    {
        _options = options;
        _random = options.Seed is { } seed ? new Random(unchecked((int)seed ^ (int)(seed >> 32))) : new Random();
        if (promptTokens != null && options.RepetitionPenalty != 1f) _seen.UnionWith(promptTokens);
    }

    /// <summary>Records a token as generated, for the penalties.</summary>
    public void Accept(int token)
    {
        _outputCounts[token] = _outputCounts.GetValueOrDefault(token) + 1;
        if (_options.RepetitionPenalty != 1f) _seen.Add(token);
    }

    public int Sample(ReadOnlySpan<float> logits)
    {
        if (_work.Length < logits.Length)
        {
            _work = new float[logits.Length];
            _order = new int[logits.Length];
        }
        var work = _work.AsSpan(0, logits.Length);
        logits.CopyTo(work);
        ApplyPenalties(work);
        // Max is NaN when any logit is; a grammar's mask (−∞) is not a failure.
        if (TensorPrimitives.Max(work) is var max && (float.IsNaN(max) || float.IsPositiveInfinity(max))) throw new NonFiniteLogitsException();
        if (_options.Temperature == 0) return ArgMax(work);
        return Draw(work);
    }

    void ApplyPenalties(Span<float> logits)
    {
        var o = _options;
        if (o.LogitBias != null)
            foreach (var (t, bias) in o.LogitBias)
                if (t < logits.Length) logits[t] += bias;
        if (o.RepetitionPenalty != 1f)
            foreach (var t in _seen)
                logits[t] = logits[t] > 0 ? logits[t] / o.RepetitionPenalty : logits[t] * o.RepetitionPenalty;
        if (o.PresencePenalty != 0 || o.FrequencyPenalty != 0)
            foreach (var (t, count) in _outputCounts)
                logits[t] -= o.PresencePenalty + o.FrequencyPenalty * count;
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    int Draw(Span<float> logits)
    {
        var o = _options;
        var max = logits[ArgMax(logits)];
        // Probabilities at temperature T, unnormalized: exp((l − max) / T).
        var probs = logits;
        for (var i = 0; i < probs.Length; i++) probs[i] = MathF.Exp((logits[i] - max) / o.Temperature);

        // Tokens below a tiny fraction of the best cannot matter to any cut unless the kept mass falls short; sorting only
        // them keeps a 150k vocabulary cheap. When they would matter (the cut needs more), sort everything.
        var count = Candidates(probs, 1e-6f, out var total);
        var kept = Cut(probs, count, total, out var complete);
        if (!complete)
        {
            count = Candidates(probs, 0, out total);
            kept = Cut(probs, count, total, out _);
        }

        double mass = 0;
        for (var i = 0; i < kept; i++) mass += probs[_order[i]];
        var r = _random.NextDouble() * mass;
        for (var i = 0; i < kept; i++)
        {
            r -= probs[_order[i]];
            if (r <= 0) return _order[i];
        }
        return _order[kept - 1];
    }

    /// <summary>Fills the order with the tokens at or above <paramref name="floor"/>, most probable first.</summary>
    int Candidates(ReadOnlySpan<float> probs, float floor, out double total)
    {
        var count = 0;
        total = 0;
        for (var i = 0; i < probs.Length; i++)
        {
            total += probs[i];
            if (probs[i] >= floor) _order[count++] = i;
        }
        var p = _work;
        Array.Sort(_order, 0, count, Comparer<int>.Create((a, b) => p[b].CompareTo(p[a])));
        return count;
    }

    /// <summary>How many of the sorted candidates survive top-k, top-p and min-p; <paramref name="complete"/> is false when top-p needed tokens not among them.</summary>
    int Cut(ReadOnlySpan<float> probs, int count, double total, out bool complete)
    {
        var o = _options;
        var kept = o.TopK > 0 ? Math.Min(o.TopK, count) : count;
        complete = true;
        if (o.TopP < 1)
        {
            double cumulative = 0;
            var i = 0;
            while (i < kept && cumulative < o.TopP * total) cumulative += probs[_order[i++]];
            if (cumulative < o.TopP * total && kept == count && count < probs.Length) complete = false;
            kept = Math.Max(1, i);
        }
        if (o.MinP > 0)
        {
            var threshold = o.MinP * probs[_order[0]];
            var i = 1;
            while (i < kept && probs[_order[i]] >= threshold) i++;
            kept = i;
        }
        return kept;
    }
}
