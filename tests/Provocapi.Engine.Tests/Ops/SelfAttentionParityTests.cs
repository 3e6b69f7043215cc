using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>Encoder attention against its float64 reference over sequence lengths and head shapes of real encoders (MiniLM 32, BGE 64).</summary>
public sealed class SelfAttentionParityTests
{
    [Theory]
    [InlineData(1, 1, 8)]
    [InlineData(3, 2, 7)]
    [InlineData(17, 4, 16)]
    [InlineData(33, 12, 32)]
    [InlineData(70, 6, 64)]
    public void Matches_reference_for_every_head(int length, int heads, int headDim)
    {
        var stride = heads * headDim;
        var q = RandomData.Floats(length * stride, 1, 2f);
        var k = RandomData.Floats(length * stride, 2, 2f);
        var v = RandomData.Floats(length * stride, 3);
        float[] fast = new float[length * stride], reference = new float[length * stride];
        var scores = new float[length];
        for (var h = 0; h < heads; h++)
        {
            SelfAttention.Simd(q, k, v, length, stride, h, headDim, fast, scores);
            SelfAttention.Reference(q, k, v, length, stride, h, headDim, reference);
        }
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-5, $"error {RandomData.NormalizedError(fast, reference)}");
    }
}
