using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tests.Ops;

namespace Provocapi.Engine.Tests.Sampling;

public sealed class SamplerTests
{
    static readonly float[] Logits = RandomData.Floats(5000, 3, 8f);

    static int[] Draw(SamplingOptions options, int count)
    {
        var sampler = new Sampler(options);
        return Enumerable.Range(0, count).Select(_ => sampler.Sample(Logits)).ToArray();
    }

    [Fact]
    public void Temperature_zero_is_argmax()
    {
        var best = Array.IndexOf(Logits, Logits.Max());
        Assert.All(Draw(SamplingOptions.Greedy, 5), id => Assert.Equal(best, id));
    }

    [Theory]
    [InlineData(float.NaN, 0f)]
    [InlineData(float.NaN, 1f)]
    [InlineData(float.PositiveInfinity, 0f)]
    [InlineData(float.PositiveInfinity, 0.7f)]
    public void Logits_that_overflowed_are_a_named_failure_not_a_token(float bad, float temperature)
    {
        var logits = (float[])Logits.Clone();
        logits[1234] = bad;
        var sampler = new Sampler(new SamplingOptions { Temperature = temperature, Seed = 1 });
        Assert.Throws<NonFiniteLogitsException>(() => sampler.Sample(logits));
        // A grammar's mask is −∞, which is no failure.
        logits[1234] = float.NegativeInfinity;
        Assert.NotEqual(1234, sampler.Sample(logits));
    }

    [Fact]
    public void Logit_bias_bans_and_forces_tokens()
    {
        var order = Enumerable.Range(0, Logits.Length).OrderByDescending(i => Logits[i]).ToArray();
        var banned = new SamplingOptions { Temperature = 0, LogitBias = new Dictionary<int, float> { [order[0]] = -100 } };
        Assert.Equal(order[1], Draw(banned, 1)[0]);
        var forced = new SamplingOptions { Temperature = 1, Seed = 3, LogitBias = new Dictionary<int, float> { [order[^1]] = 100 } };
        Assert.All(Draw(forced, 20), id => Assert.Equal(order[^1], id));
        Assert.Equal("logit_bias", (new SamplingOptions { LogitBias = new Dictionary<int, float> { [5] = 101 } }).Validate()?.Param);
    }

    [Fact]
    public void Same_seed_same_tokens_other_seed_other_tokens()
    {
        var options = new SamplingOptions { Temperature = 1.5f, Seed = 1234 };
        Assert.Equal(Draw(options, 50), Draw(options, 50));
        Assert.NotEqual(Draw(options, 50), Draw(options with { Seed = 99 }, 50));
    }

    [Fact]
    public void Top_k_one_is_greedy()
    {
        var best = Array.IndexOf(Logits, Logits.Max());
        Assert.All(Draw(new SamplingOptions { Temperature = 2, TopK = 1, Seed = 5 }, 20), id => Assert.Equal(best, id));
    }

    [Fact]
    public void Top_k_keeps_only_the_k_best()
    {
        var best = Logits.Select((l, i) => (l, i)).OrderByDescending(p => p.l).Take(3).Select(p => p.i).ToHashSet();
        var drawn = Draw(new SamplingOptions { Temperature = 2, TopK = 3, Seed = 5 }, 200);
        Assert.All(drawn, id => Assert.Contains(id, best));
        Assert.True(drawn.Distinct().Count() > 1);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p()
    {
        float[] logits = [5f, 4f, 0f, 3f, -20f]; // probabilities ≈ 0.665, 0.245, 0.004, 0.090, 0
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, TopP = 0.8f, Seed = 1 });
        var drawn = Enumerable.Range(0, 300).Select(_ => sampler.Sample(logits)).ToHashSet();
        Assert.Equal(new HashSet<int> { 0, 1 }, drawn);
    }

    [Fact]
    public void Min_p_drops_tokens_below_a_fraction_of_the_best()
    {
        float[] logits = [5f, 4.5f, 0f, 3f];
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, MinP = 0.3f, Seed = 1 });
        var drawn = Enumerable.Range(0, 300).Select(_ => sampler.Sample(logits)).ToHashSet();
        Assert.Equal(new HashSet<int> { 0, 1 }, drawn);
    }

    [Fact]
    public void Sampling_follows_the_distribution()
    {
        float[] logits = [MathF.Log(0.7f), MathF.Log(0.3f)];
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, Seed = 7 });
        var zeros = Enumerable.Range(0, 4000).Count(_ => sampler.Sample(logits) == 0);
        Assert.InRange(zeros / 4000.0, 0.66, 0.74);
    }

    [Fact]
    public void Frequency_and_presence_penalties_push_repeated_tokens_down()
    {
        float[] logits = [3f, 2.5f];
        var sampler = new Sampler(new SamplingOptions { Temperature = 0, PresencePenalty = 0.3f, FrequencyPenalty = 0.3f });
        Assert.Equal(0, sampler.Sample(logits));
        sampler.Accept(0);
        Assert.Equal(1, sampler.Sample(logits)); // 3 − 0.3 − 0.3 = 2.4 < 2.5
    }

    [Fact]
    public void Repetition_penalty_covers_the_prompt()
    {
        float[] logits = [3f, 2.5f];
        Assert.Equal(1, new Sampler(new SamplingOptions { Temperature = 0, RepetitionPenalty = 1.3f }, [0]).Sample(logits));
        Assert.Equal(0, new Sampler(new SamplingOptions { Temperature = 0, RepetitionPenalty = 1.3f }, [1]).Sample(logits));
    }

    [Theory]
    [InlineData(-0.1f, 1f, "temperature")]
    [InlineData(2.1f, 1f, "temperature")]
    [InlineData(1f, 0f, "top_p")]
    [InlineData(1f, 1.5f, "top_p")]
    [InlineData(float.NaN, 1f, "temperature")]
    public void Invalid_options_name_the_parameter(float temperature, float topP, string param)
    {
        Assert.Equal(param, new SamplingOptions { Temperature = temperature, TopP = topP }.Validate()?.Param);
    }
}
