using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Tests.Ops;

public class MatMulTests
{
    static readonly int[] RowCounts = [1, 3, 17, 33];
    static readonly int[] TokenCounts = [1, 2, 3, 5, 7, 16, 17, 33, 70];

    /// <summary>Every type, with column counts that are whole blocks but leave the kernels' unrolled loops a tail.</summary>
    public static TheoryData<TensorType, int, bool> Cases()
    {
        var data = new TheoryData<TensorType, int, bool>();
        foreach (var type in RandomWeights.AllTypes)
        {
            var block = TensorTypeInfo.BlockElements(type);
            int[] columns = block switch { 1 => [37, 100], 32 => [96, 160], _ => [256, 768] };
            foreach (var c in columns)
            {
                data.Add(type, c, false);
                data.Add(type, c, true);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fast_matches_reference_within_activation_quantization(TensorType type, int columns, bool randomBits) =>
        MatchesReference(type, columns, randomBits, RowCounts, grouped: false);

    /// <summary>Q8_0 regrouped eight rows at a time (as loaded models have it) against the reference, row counts of
    /// one to five groups and every token-count remainder of the four-token kernel.</summary>
    [Theory]
    [InlineData(96, false)]
    [InlineData(96, true)]
    [InlineData(160, true)]
    public void Grouped_Q8_0_matches_reference_within_activation_quantization(int columns, bool randomBits) =>
        MatchesReference(TensorType.Q8_0, columns, randomBits, [8, 24, 40], grouped: true);

    static void MatchesReference(TensorType type, int columns, bool randomBits, int[] rowCounts, bool grouped)
    {
        using var workers = new CpuWorkers(2);
        var block = MatMulActivations.LayoutFor(type) switch
        {
            ActivationLayout.Blocks => Quantize.ActivationBlock,
            ActivationLayout.SuperBlocks => Quantize.ActivationSuperBlock,
            _ => 0,
        };
        foreach (var rows in rowCounts)
        {
            using var matrix = randomBits ? RandomWeights.RandomBits(type, rows, columns, rows) : RandomWeights.Quantized(type, rows, columns, rows);
            var weights = RandomWeights.DequantizeReference(matrix.Weights);
            var w = grouped ? Grouped(matrix) : matrix.Weights;
            foreach (var tokens in TokenCounts)
            {
                var x = RandomWeights.Floats(tokens * columns, 100 + tokens);
                var fast = new float[tokens * rows];
                var reference = new float[tokens * rows];
                MatMul.Compute(w, x, fast, tokens, workers);
                MatMul.ComputeReference(w, x, reference, tokens);
                for (var t = 0; t < tokens; t++)
                {
                    for (var r = 0; r < rows; r++)
                    {
                        var bound = Tolerance(weights.AsSpan(r * columns, columns), x.AsSpan(t * columns, columns), block);
                        var error = Math.Abs(fast[t * rows + r] - reference[t * rows + r]);
                        Assert.True(error <= bound, $"{type}{(grouped ? " regrouped" : "")} {rows}x{columns}, {tokens} tokens, token {t} row {r}: fast {fast[t * rows + r]} vs reference {reference[t * rows + r]} (error {error:G3} > bound {bound:G3})");
                    }
                }
            }
        }
    }

    /// <summary>What batched decoding rests on: a token's outputs are bit for bit the same computed alone or with
    /// other tokens, whatever the kernels do with several tokens at once.</summary>
    [Theory]
    [InlineData(TensorType.Q8_0, false)]
    [InlineData(TensorType.Q8_0, true)]
    [InlineData(TensorType.Q4_0, false)]
    [InlineData(TensorType.Q4_K, false)]
    [InlineData(TensorType.F16, false)]
    [InlineData(TensorType.F32, false)]
    [InlineData(TensorType.BF16, false)]
    [InlineData(TensorType.Q5_0, false)]
    [InlineData(TensorType.Q4_1, false)]
    [InlineData(TensorType.Q5_K, false)]
    [InlineData(TensorType.Q6_K, false)]
    public void A_token_gets_the_same_outputs_alone_and_in_a_batch(TensorType type, bool grouped)
    {
        // 70 tokens: two token tiles and a remainder; 74 rows: a tile remainder that is not whole row groups (72 when regrouped).
        const int Tokens = 70;
        var rows = grouped ? 72 : 74;
        var columns = TensorTypeInfo.BlockElements(type) == 256 ? 512 : 160;
        using var matrix = RandomWeights.Quantized(type, rows, columns, 9);
        var w = grouped ? Grouped(matrix) : matrix.Weights;
        using var workers = new CpuWorkers(2);
        var x = RandomWeights.Floats(Tokens * columns, 10);
        var batch = new float[Tokens * rows];
        MatMul.Compute(w, x, batch, Tokens, workers);
        var alone = new float[rows];
        for (var t = 0; t < Tokens; t++)
        {
            MatMul.Compute(w, x.AsSpan(t * columns, columns), alone, 1, workers);
            Assert.Equal(alone, batch.AsSpan(t * rows, rows).ToArray());
        }
    }

    static unsafe WeightMatrix Grouped(OwnedMatrix matrix) => matrix.Weights.Regroup(matrix.Buffer.Pointer);

    /// <summary>Matrices over the same activations in one call (a layer's query, key and value) write what a call each
    /// writes, bit for bit: one weight type, types that share the activations' layout, and types that do not.</summary>
    [Theory]
    [InlineData(TensorType.Q8_0, TensorType.Q8_0, TensorType.Q8_0, 1)]
    [InlineData(TensorType.Q8_0, TensorType.Q8_0, TensorType.Q8_0, 70)]
    [InlineData(TensorType.Q4_K, TensorType.Q4_K, TensorType.Q6_K, 5)]
    [InlineData(TensorType.Q8_0, TensorType.F16, TensorType.Q4_K, 3)]
    [InlineData(TensorType.F32, TensorType.Q4_0, TensorType.F32, 17)]
    public void Matrices_sharing_their_activations_in_one_call_give_what_separate_calls_give(TensorType a, TensorType b, TensorType c, int tokens)
    {
        const int Columns = 512;
        using var m0 = RandomWeights.Quantized(a, 72, Columns, 1);
        using var m1 = RandomWeights.Quantized(b, 24, Columns, 2);
        using var m2 = RandomWeights.Quantized(c, 40, Columns, 3);
        var weights = new[] { a == TensorType.Q8_0 ? Grouped(m0) : m0.Weights, m1.Weights, m2.Weights };
        using var workers = new CpuWorkers(2);
        var x = RandomWeights.Floats(tokens * Columns, 4);
        var separate = weights.Select(w => new float[tokens * w.Rows]).ToArray();
        for (var i = 0; i < 3; i++) MatMul.Compute(weights[i], x, separate[i], tokens, workers);
        var together = weights.Select(w => new float[tokens * w.Rows]).ToArray();
        MatMul.Compute(x, tokens, workers, weights[0], together[0], weights[1], together[1], weights[2], together[2]);
        for (var i = 0; i < 3; i++) Assert.Equal(separate[i], together[i]);
        var pair = weights.Take(2).Select(w => new float[tokens * w.Rows]).ToArray();
        MatMul.Compute(x, tokens, workers, weights[0], pair[0], weights[1], pair[1]);
        for (var i = 0; i < 2; i++) Assert.Equal(separate[i], pair[i]);
    }

    /// <summary>The error the fast path may make: activations rounded to int8 move each x by at most half its block's
    /// step (max|x|/127), which moves the dot product by at most Σ|w|·step/2; float accumulation adds a little on top.</summary>
    static double Tolerance(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int block)
    {
        double magnitude = 0, quantization = 0;
        for (var c = 0; c < w.Length; c++) magnitude += Math.Abs((double)w[c] * x[c]);
        if (block > 0)
        {
            for (var b = 0; b < w.Length / block; b++)
            {
                double amax = 0, weightSum = 0;
                for (var c = b * block; c < (b + 1) * block; c++)
                {
                    amax = Math.Max(amax, Math.Abs(x[c]));
                    weightSum += Math.Abs(w[c]);
                }
                quantization += weightSum * amax / 127 / 2;
            }
        }
        return quantization * 1.001 + magnitude * 1e-5 + 1e-6;
    }

    [Theory]
    [InlineData(TensorType.Q8_0, 6)]
    [InlineData(TensorType.Q8_0, 7)]
    [InlineData(TensorType.Q4_0, 5)]
    [InlineData(TensorType.Q4_K, 6)]
    [InlineData(TensorType.F16, 6)]
    [InlineData(TensorType.Q5_1, 6)]
    public void Row_ranges_compose_to_the_whole(TensorType type, int tokens) => RowRangesCompose(type, tokens, rows: 41, grouped: false);

    /// <summary>Ranges that cut groups of a regrouped matrix in the middle.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Row_ranges_of_a_grouped_matrix_compose_to_the_whole(int tokens) => RowRangesCompose(TensorType.Q8_0, tokens, rows: 40, grouped: true);

    static void RowRangesCompose(TensorType type, int tokens, int rows, bool grouped)
    {
        var columns = TensorTypeInfo.BlockElements(type) == 256 ? 512 : 128;
        using var matrix = RandomWeights.Quantized(type, rows, columns, 3);
        var w = grouped ? Grouped(matrix) : matrix.Weights;
        using var workers = new CpuWorkers(3);
        var x = RandomWeights.Floats(tokens * columns, 4);
        var whole = new float[tokens * rows];
        MatMul.Compute(w, x, whole, tokens, workers);
        var activations = new MatMulActivations();
        activations.Prepare(type, x, tokens, columns);
        var pieces = new float[tokens * rows];
        MatMul.ComputeRows(w, activations, pieces, 0, 10);
        MatMul.ComputeRows(w, activations, pieces, 10, 13);
        MatMul.ComputeRows(w, activations, pieces, 23, rows - 23);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Single_thread_and_two_threads_agree_exactly()
    {
        using var matrix = RandomWeights.Quantized(TensorType.Q4_0, 300, 256, 8);
        var x = RandomWeights.Floats(9 * 256, 2);
        var one = new float[9 * 300];
        var two = new float[9 * 300];
        using (var workers = new CpuWorkers(1)) MatMul.Compute(matrix.Weights, x, one, 9, workers);
        using (var workers = new CpuWorkers(2)) MatMul.Compute(matrix.Weights, x, two, 9, workers);
        Assert.Equal(one, two);
    }

    /// <summary>The one-token F16 kernel widens without handling infinities and NaNs and redoes a row that has one.</summary>
    [Theory]
    [InlineData(0x7C00, 1)]
    [InlineData(0xFC00, 2)]
    [InlineData(0x7E00, 1)]
    public unsafe void Half_infinities_and_NaNs_propagate_like_the_reference(int bits, int tokens)
    {
        using var matrix = RandomWeights.Quantized(TensorType.F16, 3, 96, 6);
        ((ushort*)matrix.Weights.Row(1))[40] = (ushort)bits;
        var x = RandomWeights.Floats(tokens * 96, 7);
        var fast = new float[tokens * 3];
        var reference = new float[tokens * 3];
        using var workers = new CpuWorkers(1);
        MatMul.Compute(matrix.Weights, x, fast, tokens, workers);
        MatMul.ComputeReference(matrix.Weights, x, reference, tokens);
        for (var i = 0; i < fast.Length; i++)
        {
            if (float.IsNaN(reference[i])) Assert.True(float.IsNaN(fast[i]), $"output {i}: {fast[i]}");
            else if (float.IsInfinity(reference[i])) Assert.Equal(reference[i], fast[i]);
            else Assert.Equal(reference[i], fast[i], 1e-4f);
        }
        Assert.False(float.IsFinite(fast[1]));
    }

    [Fact]
    public void Rejects_mismatched_shapes()
    {
        using var matrix = RandomWeights.Quantized(TensorType.Q8_0, 4, 64, 1);
        using var workers = new CpuWorkers(1);
        Assert.Throws<ArgumentException>(() => MatMul.Compute(matrix.Weights, new float[63], new float[4], 1, workers));
        Assert.Throws<ArgumentException>(() => MatMul.Compute(matrix.Weights, new float[128], new float[4], 2, workers));
    }
}
