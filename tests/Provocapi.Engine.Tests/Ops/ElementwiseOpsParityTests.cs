using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>Each fast op against its reference twin, on random data at every length from 1 to 70 and a few real widths.</summary>
public sealed class ElementwiseOpsParityTests
{
    public static IEnumerable<object[]> Lengths() =>
        Enumerable.Range(1, 70).Concat([96, 255, 576, 1000, 2048]).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RmsNorm_matches_reference(int n)
    {
        var x = RandomData.Floats(n, n, 3f);
        var w = RandomData.Floats(n, n + 1);
        float[] fast = new float[n], reference = new float[n];
        RmsNorm.Simd(x, w, 1e-6f, fast);
        RmsNorm.Reference(x, w, 1e-6f, reference);
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-5);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SwiGlu_matches_reference_even_in_place(int n)
    {
        var gate = RandomData.Floats(n, n, 6f);
        var up = RandomData.Floats(n, n + 1, 2f);
        var reference = new float[n];
        SwiGlu.Reference(gate, up, reference);
        SwiGlu.Simd(gate, up, gate);
        Assert.True(RandomData.NormalizedError(gate, reference) < 1e-5);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LayerNorm_matches_reference_even_in_place(int n)
    {
        var x = RandomData.Floats(n, n, 3f);
        for (var i = 0; i < n; i++) x[i] += 40;   // a large mean, which a one-pass variance would lose
        var w = RandomData.Floats(n, n + 1);
        var b = RandomData.Floats(n, n + 2);
        var reference = new float[n];
        LayerNorm.Reference(x, w, b, 1e-12f, reference);
        LayerNorm.Simd(x, w, b, 1e-12f, x);
        Assert.True(RandomData.NormalizedError(x, reference) < 1e-5, $"error {RandomData.NormalizedError(x, reference)}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Gelu_matches_reference_even_in_place(int n)
    {
        var x = RandomData.Floats(n, n, 8f);
        var reference = new float[n];
        Gelu.Reference(x, reference);
        Gelu.Simd(x, x);
        // Absolute: GELU is near zero for negative inputs, where a relative error means nothing.
        var worst = x.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 2e-6, $"largest difference {worst}");
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-2.0, -0.9953222650189527)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(6.0, 0.9999999999999785)]
    public void Reference_erf_matches_tabulated_values(double z, double erf) =>
        Assert.Equal(erf, Gelu.Erf(z), 1e-13);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softmax_matches_reference(int n)
    {
        var fast = RandomData.Floats(n, n, 20f);
        var reference = (float[])fast.Clone();
        Softmax.Simd(fast);
        Softmax.Reference(reference);
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-5);
        Assert.Equal(1.0, fast.Sum(), 4);
    }

    [Theory]
    [InlineData(2, 2, 0, RopeLayout.AdjacentPairs)]
    [InlineData(16, 16, 7, RopeLayout.AdjacentPairs)]
    [InlineData(16, 16, 7, RopeLayout.HalfSplit)]
    [InlineData(64, 64, 1023, RopeLayout.HalfSplit)]
    [InlineData(64, 64, 4095, RopeLayout.AdjacentPairs)]
    [InlineData(128, 64, 300, RopeLayout.HalfSplit)]
    [InlineData(96, 32, 17, RopeLayout.AdjacentPairs)]
    public void Rope_matches_reference(int headDim, int ropeDims, int position, RopeLayout layout)
    {
        const int heads = 3;
        var inv = Enumerable.Range(0, ropeDims / 2).Select(i => (float)Math.Pow(10000, -2.0 * i / ropeDims)).ToArray();
        var fast = RandomData.Floats(heads * headDim, headDim + position);
        var reference = (float[])fast.Clone();
        Rope.Apply(fast, headDim, position, inv, layout);
        for (var h = 0; h < heads; h++) Rope.Reference(reference.AsSpan(h * headDim, headDim), position, inv, layout);
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-4, $"error {RandomData.NormalizedError(fast, reference)}");
    }

    [Fact]
    public void Rope_half_split_equals_adjacent_pairs_on_permuted_dimensions()
    {
        // GGUF's llama converter permutes Q/K rows so adjacent-pair RoPE on them equals rotate-half on the originals.
        const int d = 16;
        var inv = Enumerable.Range(0, d / 2).Select(i => (float)Math.Pow(10000, -2.0 * i / d)).ToArray();
        var original = RandomData.Floats(d, 5);
        var permuted = new float[d];
        for (var i = 0; i < d / 2; i++) (permuted[2 * i], permuted[2 * i + 1]) = (original[i], original[i + d / 2]);
        Rope.Apply(original, d, 11, inv, RopeLayout.HalfSplit);
        Rope.Apply(permuted, d, 11, inv, RopeLayout.AdjacentPairs);
        for (var i = 0; i < d / 2; i++)
        {
            Assert.Equal(original[i], permuted[2 * i], 5);
            Assert.Equal(original[i + d / 2], permuted[2 * i + 1], 5);
        }
    }
}
