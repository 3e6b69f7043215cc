namespace Provocapi.Engine.Sampling;

/// <summary>A token's log-probability under the model (log-softmax of the raw logits, before sampling settings), with the most likely alternatives.</summary>
public sealed record TokenLogprob(int TokenId, float Logprob, IReadOnlyList<(int TokenId, float Logprob)> Top)
{
    /// <summary>The chosen token's log-probability and the <paramref name="top"/> most likely tokens', most likely first.</summary>
    public static TokenLogprob Of(ReadOnlySpan<float> logits, int chosen, int top)
    {
        var max = float.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        var sum = 0.0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        var logSum = max + (float)Math.Log(sum);
        var best = new List<(int TokenId, float Logit)>(top + 1);
        for (var i = 0; top > 0 && i < logits.Length; i++)
        {
            var logit = logits[i];
            if (best.Count == top && logit <= best[^1].Logit) continue;
            var at = best.FindIndex(b => b.Logit < logit);
            best.Insert(at < 0 ? best.Count : at, (i, logit));
            if (best.Count > top) best.RemoveAt(top);
        }
        return new TokenLogprob(chosen, logits[chosen] - logSum, best.Select(b => (b.TokenId, b.Logit - logSum)).ToList());
    }
}
