using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>The gathered LoRA kernel against its per-token reference: odd sizes, ranks 1, 8 and 16, and batches mixing no adapter and two adapters.</summary>
public sealed class LoraParityTests
{
    /// <summary>Per token: '-' no adapter, 'a' or 'b' one of two adapters.</summary>
    public static TheoryData<int, int, int, string> Cases() => new()
    {
        { 5, 7, 1, "a" },
        { 33, 17, 8, "-a-b" },
        { 64, 192, 16, "ab-ab-" },
        { 576, 1536, 16, "abab" },
        { 1536, 576, 16, "b--a" },
        { 1000, 3, 8, "aaaaaaaaaaaaaaaaaaab" },
        { 9, 130, 1, "-b" },
        { 96, 1001, 16, "ba" },
        { 576, 192, 8, "----" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gathered_kernel_matches_reference(int inputs, int outputs, int rank, string pattern)
    {
        var adapters = new[] { Weights(inputs, outputs, rank, 1, 0.5f), Weights(inputs, outputs, rank, 2, 2f) };
        var perToken = pattern.Select(c => c == '-' ? null : adapters[c - 'a']).ToList();
        var x = RandomData.Floats(pattern.Length * inputs, inputs + outputs);
        var before = RandomData.Floats(pattern.Length * outputs, rank);
        var fast = (float[])before.Clone();
        var reference = (float[])before.Clone();
        using var workers = new CpuWorkers(2);
        Lora.Apply(perToken, x, fast, inputs, outputs, workers);
        Lora.ApplyReference(perToken, x, reference, inputs, outputs);
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-5, $"normalized error {RandomData.NormalizedError(fast, reference)}");
        for (var t = 0; t < pattern.Length; t++)
        {
            var row = fast.AsSpan(t * outputs, outputs);
            if (pattern[t] == '-') Assert.True(row.SequenceEqual(before.AsSpan(t * outputs, outputs)), $"token {t} has no adapter but changed");
            else Assert.False(row.SequenceEqual(before.AsSpan(t * outputs, outputs)), $"token {t} has an adapter but did not change");
        }
    }

    [Fact]
    public void A_token_gets_the_same_bits_alone_and_in_a_mixed_batch()
    {
        const int inputs = 576, outputs = 1536, rank = 16;
        var a = Weights(inputs, outputs, rank, 3, 1f);
        var b = Weights(inputs, outputs, rank, 4, 1f);
        var x = RandomData.Floats(4 * inputs, 5);
        var mixed = RandomData.Floats(4 * outputs, 6);
        var alone = mixed.AsSpan(2 * outputs, outputs).ToArray();
        using var workers = new CpuWorkers(2);
        Lora.Apply([b, a, a, null], x, mixed, inputs, outputs, workers);
        Lora.Apply([a], x.AsSpan(2 * inputs, inputs), alone, inputs, outputs, workers);
        Assert.True(alone.AsSpan().SequenceEqual(mixed.AsSpan(2 * outputs, outputs)));
    }

    /// <summary>Three projections' deltas in one call, one of them with no adapter at all: each bit for bit what its own
    /// call gives and close to the reference. Eight threads and one adapter slice each projection's outputs; 1001 and
    /// 33 outputs leave a scalar tail.</summary>
    [Theory]
    [InlineData(2, 96, 32)]
    [InlineData(8, 1001, 33)]
    public unsafe void A_fused_call_gives_each_projection_what_its_own_call_gives(int threads, int first, int others)
    {
        const int inputs = 96, tokens = 3;
        int[] outputs = [first, others, others];
        var x = RandomData.Floats(tokens * inputs, 8);
        using var workers = new CpuWorkers(threads);
        var a = Weights(inputs, outputs[0], 8, 5, 1f);
        var b = Weights(inputs, outputs[0], 8, 6, 0.5f);
        var c = Weights(inputs, outputs[1], 4, 7, 2f);
        List<LoraWeights?>[] slots = threads == 2 ? [[a, null, b], [null, c, c], [null, null, null]] : [[a, a, null], [null, c, c], [null, null, null]];
        var fused = outputs.Select((o, i) => RandomData.Floats(tokens * o, 10 + i)).ToArray();
        var separate = fused.Select(y => (float[])y.Clone()).ToArray();
        fixed (float* y0 = fused[0], y1 = fused[1], y2 = fused[2])
            Lora.Apply([new Lora.Target(slots[0], y0, fused[0].Length, outputs[0]), new Lora.Target(slots[1], y1, fused[1].Length, outputs[1]),
                new Lora.Target(slots[2], y2, fused[2].Length, outputs[2])], x, inputs, workers);
        for (var i = 0; i < 3; i++)
        {
            var reference = RandomData.Floats(tokens * outputs[i], 10 + i);
            Lora.ApplyReference(slots[i], x, reference, inputs, outputs[i]);
            Lora.Apply(slots[i], x, separate[i], inputs, outputs[i], workers);
            Assert.Equal(separate[i], fused[i]);
            Assert.True(RandomData.NormalizedError(fused[i], reference) < 1e-5, $"projection {i}");
        }
    }

    [Fact]
    public void Weights_of_another_shape_are_refused()
    {
        using var workers = new CpuWorkers(1);
        var w = Weights(8, 16, 2, 1, 1f);
        var e = Assert.Throws<ArgumentException>(() => Lora.Apply([w], new float[9], new float[16], 9, 16, workers));
        Assert.Contains("(16, 8)", e.Message);
    }

    static LoraWeights Weights(int inputs, int outputs, int rank, int seed, float scale) =>
        new(RandomData.Floats(rank * inputs, seed * 31), RandomData.Floats(rank * outputs, seed * 37), rank, inputs, outputs, scale);
}
