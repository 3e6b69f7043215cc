using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models;

/// <summary>
/// A step given up between layers (<see cref="Llama.TryForward"/>) leaves no trace: no sequence advances, and feeding
/// the same tokens again gives exactly the logits of a step that was never interrupted.
/// </summary>
public sealed class AbandonedStepTests
{
    static readonly string Model = Path.GetFullPath(Path.Combine(TestData.Root, "..", "..", "models", "provocapi-demo-fortunes-f32.gguf"));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void An_abandoned_step_redone_gives_the_uninterrupted_steps_logits(int askedBeforeAbandoning)
    {
        using var model = LanguageModel.Load(Model);
        var network = model.Network;
        var prompt = model.Tokenizer.Encode("A computer is a machine that");
        using var workers = new CpuWorkers(2);
        using var pool = new KvPagePool(network.KvShape(KvCacheType.F32), 16, 64);
        using var plain = new KvPageTable(pool);
        using var interrupted = new KvPageTable(pool);
        var scratch = new ForwardScratch();
        var batch = new ForwardBatch();

        // The prompt, then one decode step, for a sequence run plainly and one whose every step is first given up.
        var expected = new List<float[]>();
        var actual = new List<float[]>();
        int[] next = [0];
        foreach (var (tokens, start) in new[] { (prompt, 0), (next, prompt.Length) })
        {
            batch.Clear();
            batch.AddRange(tokens, start, plain, logitsForLast: true);
            expected.Add(network.Forward(batch, scratch, workers).ToArray());

            batch.Clear();
            batch.AddRange(tokens, start, interrupted, logitsForLast: true);
            var asked = 0;
            Assert.False(network.TryForward(batch, scratch, workers, () => ++asked == askedBeforeAbandoning, out _));
            Assert.Equal(askedBeforeAbandoning, asked);
            Assert.Equal(start, interrupted.Length);
            // Asked between the demo model's four layers only: three times, never after the last.
            var asks = 0;
            Assert.True(network.TryForward(batch, scratch, workers, () => ++asks < 0, out var logits));
            Assert.Equal(network.Config.LayerCount - 1, asks);
            actual.Add(logits.ToArray());
            Assert.Equal(plain.Length, interrupted.Length);
            next[0] = Array.IndexOf(expected[^1], expected[^1].Max());
        }
        Assert.Equal(expected, actual);
    }
}
