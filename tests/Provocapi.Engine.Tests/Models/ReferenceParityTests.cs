using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Sampling;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models;

/// <summary>
/// Every model file of the peers' fixtures against the float64 PyTorch reference, to the tolerances the fixtures'
/// README sets: exact greedy ids and close top logits for float files; close top-5 log-probabilities for quantized ones.
/// </summary>
public sealed class ReferenceParityTests
{
    [Theory]
    [MemberData(nameof(ModelReferences.FileKeys), MemberType = typeof(ModelReferences))]
    public void Matches_reference(string key)
    {
        var file = ModelReferences.Get(key);
        using var model = LanguageModel.Load(TestData.Path("models", file.Path));
        var quantized = file.Path.Contains("q8_0") || file.Path.Contains("q4_0");
        var tolerance = file.Path.Contains("f32") ? 2e-3 : 2e-2;
        foreach (var run in file.Runs)
        {
            var (ids, logits) = Greedy(model.Network, run.Prompt, run.Ids.Length);
            if (!quantized)
            {
                Assert.Equal(run.Ids, ids);
                for (var step = 0; step < run.Steps.Length; step++)
                    for (var j = 0; j < run.Steps[step].TopIds.Length; j++)
                        Assert.True(Math.Abs(logits[step][run.Steps[step].TopIds[j]] - run.Steps[step].TopLogits[j]) <= tolerance,
                            $"{key} step {step}: logit of {run.Steps[step].TopIds[j]} is {logits[step][run.Steps[step].TopIds[j]]}, reference {run.Steps[step].TopLogits[j]}");
                continue;
            }
            if (run.Steps[0].Margin > 0.5) Assert.Equal(run.Ids[0], ids[0]);
            for (var step = 0; step < run.Steps.Length; step++)
            {
                var ref_ = run.Steps[step];
                var logSumExp = LogSumExp(logits[step]);
                for (var j = 0; j < 5; j++)
                {
                    var ours = logits[step][ref_.TopIds[j]] - logSumExp;
                    var theirs = ref_.TopLogits[j] - ref_.LogSumExp;
                    Assert.True(Math.Abs(ours - theirs) <= 0.6, $"{key} step {step}: log-probability of {ref_.TopIds[j]} is {ours:F3}, reference {theirs:F3}");
                }
                if (ids[step] != run.Ids[step]) break;
            }
        }
    }

    /// <summary>A cache of halves rounds keys and values to 11 significant bits. On the same tokens, every logit of every
    /// step stays within a thousandth of the logits' spread of the float cache's for float files; quantized files round
    /// activations to 8 bits in every matmul, where a nudged value can land on the next step, so within 3%.</summary>
    [Theory]
    [MemberData(nameof(ModelReferences.FileKeys), MemberType = typeof(ModelReferences))]
    public void An_f16_cache_stays_close_to_the_f32_one(string key)
    {
        var file = ModelReferences.Get(key);
        using var model = LanguageModel.Load(TestData.Path("models", file.Path));
        var tolerance = file.Path.Contains("q8_0") || file.Path.Contains("q4_0") ? 3e-2 : 1e-3;
        foreach (var run in file.Runs)
        {
            var (ids, exact) = Greedy(model.Network, run.Prompt, run.Ids.Length);
            var (_, halves) = Greedy(model.Network, run.Prompt, run.Ids.Length, KvCacheType.F16, forced: ids);
            for (var step = 0; step < exact.Length; step++)
            {
                var worst = exact[step].Zip(halves[step], (a, b) => Math.Abs(a - b)).Max() / (exact[step].Max() - exact[step].Min());
                Assert.True(worst <= tolerance, $"{key} step {step}: a logit differs by {worst:P3} of the spread between the F16 and F32 caches");
                Assert.NotEqual(exact[step], halves[step]);
            }
        }
    }

    /// <summary>Feeds the prompt in one batch, then decodes one token at a time (its own greedy choice, or
    /// <paramref name="forced"/>), keeping every step's logits.</summary>
    static (int[] Ids, float[][] Logits) Greedy(Llama network, int[] prompt, int count, KvCacheType cache = KvCacheType.F32, int[]? forced = null)
    {
        using var workers = new CpuWorkers(2);
        using var pool = new KvPagePool(network.KvShape(cache), 16, 64);
        using var sequence = new KvPageTable(pool);
        var scratch = new ForwardScratch();
        var batch = new ForwardBatch();
        batch.AddRange(prompt, 0, sequence, logitsForLast: true);
        var ids = new int[count];
        var logits = new float[count][];
        for (var i = 0; i < count; i++)
        {
            logits[i] = network.Forward(batch, scratch, workers).ToArray();
            ids[i] = forced?[i] ?? Sampler.ArgMax(logits[i]);
            batch.Clear();
            batch.Add(ids[i], prompt.Length + i, sequence, wantLogits: true);
        }
        return (ids, logits);
    }

    static double LogSumExp(float[] logits)
    {
        double max = logits.Max(), sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        return max + Math.Log(sum);
    }
}
