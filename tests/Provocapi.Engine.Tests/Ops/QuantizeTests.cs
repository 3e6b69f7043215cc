using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Tests.Ops;

public class QuantizeTests
{
    /// <summary>Largest round-trip error allowed per block, as a fraction of the block's largest magnitude. Half a
    /// quantization step, except where the format's fit clamps or the K-quants' 6-bit scales add their own rounding.</summary>
    public static TheoryData<TensorType, double> Bounds() => new()
    {
        { TensorType.F16, 1.0 / 2048 },
        { TensorType.BF16, 1.0 / 256 },
        { TensorType.Q8_0, 0.5 / 127 + 1.0 / 2048 },
        { TensorType.Q4_0, 1.0 / 8 + 1.0 / 1024 },   // max magnitude → −8, so the far side tops out at +7
        { TensorType.Q4_1, 1.0 / 15 + 1.0 / 1024 },  // half of (max − min)/15 with max − min ≤ 2·amax
        { TensorType.Q5_0, 1.0 / 16 + 1.0 / 1024 },
        { TensorType.Q5_1, 1.0 / 31 + 1.0 / 1024 },
        { TensorType.Q4_K, 0.1 },
        { TensorType.Q5_K, 0.06 },
        { TensorType.Q6_K, 0.03 },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Round_trip_stays_within_the_format_error(TensorType type, double bound)
    {
        const int columns = 1024;
        var x = RandomWeights.Floats(columns, 5);
        var bytes = new byte[TensorTypeInfo.RowBytes(type, columns)];
        Quantize.Row(type, x, bytes);
        var back = new float[columns];
        unsafe
        {
            fixed (byte* p = bytes) Dequantize.Row(type, p, back);
        }
        var block = TensorTypeInfo.BlockElements(type) == 1 ? 1 : TensorTypeInfo.BlockElements(type);
        double sumRelativeSquares = 0;
        for (var b = 0; b < columns / block; b++)
        {
            var amax = 0.0;
            for (var i = b * block; i < (b + 1) * block; i++) amax = Math.Max(amax, Math.Abs(x[i]));
            for (var i = b * block; i < (b + 1) * block; i++)
            {
                var error = Math.Abs(back[i] - x[i]);
                Assert.True(error <= bound * amax, $"{type} element {i}: {x[i]} came back as {back[i]}, error {error / amax:G3} of the block's max");
                sumRelativeSquares += Math.Pow(error / amax, 2);
            }
        }
        // On average well below the worst case: a rounding error spread evenly over ±step/2 has an RMS of step/√12.
        var rms = Math.Sqrt(sumRelativeSquares / columns);
        Assert.True(rms < bound / 1.5, $"{type}: RMS error {rms:G3} of the block maxima");
    }

    [Fact]
    public void Activation_blocks_fast_equals_reference()
    {
        const int columns = 32 * 24;
        var x = RandomWeights.Floats(columns, 9);
        var fastQ = new sbyte[columns];
        var refQ = new sbyte[columns];
        var fastScales = new float[columns / 32];
        var refScales = new float[columns / 32];
        Quantize.ActivationBlocks(x, fastQ, fastScales);
        Quantize.ActivationBlocksReference(x, refQ, refScales);
        Assert.Equal(refScales, fastScales);
        Assert.Equal(refQ, fastQ);
    }

    [Fact]
    public void Activation_super_blocks_fast_equals_reference_and_sums_groups()
    {
        const int columns = 256 * 3;
        var x = RandomWeights.Floats(columns, 10);
        var fastQ = new sbyte[columns];
        var refQ = new sbyte[columns];
        var fastScales = new float[3];
        var refScales = new float[3];
        var fastSums = new short[columns / 16];
        var refSums = new short[columns / 16];
        Quantize.ActivationSuperBlocks(x, fastQ, fastScales, fastSums);
        Quantize.ActivationSuperBlocksReference(x, refQ, refScales, refSums);
        Assert.Equal(refScales, fastScales);
        Assert.Equal(refQ, fastQ);
        Assert.Equal(refSums, fastSums);
        for (var i = 0; i < columns; i++)
            Assert.True(Math.Abs(fastQ[i] * fastScales[i / 256] - x[i]) <= fastScales[i / 256] / 2 * 1.0001, $"element {i}");
    }

    [Fact]
    public void Zero_block_quantizes_to_zero()
    {
        var x = new float[64];
        var q = new sbyte[64];
        var scales = new float[2];
        Quantize.ActivationBlocks(x, q, scales);
        Assert.All(q, v => Assert.Equal(0, v));
        Assert.All(scales, v => Assert.Equal(0f, v));
    }
}
