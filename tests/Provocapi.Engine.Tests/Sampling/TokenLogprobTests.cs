using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tests.Ops;

namespace Provocapi.Engine.Tests.Sampling;

public sealed class TokenLogprobTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(37, 5)]
    [InlineData(5000, 20)]
    public void Logprobs_are_the_log_softmax_with_the_best_alternatives_first(int vocabulary, int top)
    {
        var logits = RandomData.Floats(vocabulary, 7, 6f);
        var chosen = vocabulary / 2;
        var result = TokenLogprob.Of(logits, chosen, top);
        // Slow and obvious: softmax in double precision.
        var max = logits.Max();
        var sum = logits.Sum(l => Math.Exp(l - max));
        double LogProb(int i) => logits[i] - max - Math.Log(sum);
        Assert.Equal(LogProb(chosen), result.Logprob, 4);
        var expected = Enumerable.Range(0, vocabulary).OrderByDescending(i => logits[i]).Take(top).ToList();
        Assert.Equal(expected, result.Top.Select(t => t.TokenId));
        Assert.All(result.Top, t => Assert.Equal(LogProb(t.TokenId), t.Logprob, 4));
        Assert.True(result.Logprob <= 0);
    }
}
