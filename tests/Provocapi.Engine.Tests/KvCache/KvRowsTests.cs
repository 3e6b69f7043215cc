using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Tests.KvCache;

public sealed unsafe class KvRowsTests
{
    [Fact]
    public void Halves_round_to_nearest_and_keep_out_of_range_values_finite()
    {
        // 300 values, so the conversion runs past its 256-float chunk.
        var values = Enumerable.Range(0, 300).Select(i => (i - 150) * 0.337f).ToArray();
        values[0] = 70000f;
        values[1] = -1e9f;
        values[2] = float.NaN;
        values[3] = 1e-6f;           // a half subnormal: 17 steps of 2^-24
        values[4] = 1 + 1f / 4096;   // halfway between two halves: rounds to the even one, 1
        var stored = new ushort[values.Length];
        var read = new float[values.Length];
        fixed (ushort* row = stored)
        {
            KvRows.Write(KvCacheType.F16, values, (byte*)row);
            KvRows.ReadHalves(row, read);
            Assert.Equal((float)(Half)1e-6f, KvRows.Read(KvCacheType.F16, (byte*)row, 3));
        }
        Assert.Equal(65504f, read[0]);
        Assert.Equal(-65504f, read[1]);
        Assert.True(float.IsNaN(read[2]));
        Assert.Equal(1f, read[4]);
        for (var i = 5; i < values.Length; i++) Assert.Equal((float)(Half)values[i], read[i]);
    }

    [Fact]
    public void Floats_are_kept_exactly()
    {
        var values = new[] { 1e-30f, -3.25f, float.MaxValue, float.NaN };
        var stored = new float[values.Length];
        var read = new float[values.Length];
        fixed (float* row = stored)
        {
            KvRows.Write(KvCacheType.F32, values, (byte*)row);
            for (var i = 0; i < values.Length; i++) read[i] = KvRows.Read(KvCacheType.F32, (byte*)row, i);
        }
        Assert.Equal(values, read);
    }

    [Fact]
    public void A_budget_holds_twice_the_pages_of_halves()
    {
        const long budget = 1 << 20;
        using var floats = KvPagePool.WithBudget(new KvCacheShape(2, 2, 64, KvCacheType.F32), 16, budget);
        using var halves = KvPagePool.WithBudget(new KvCacheShape(2, 2, 64, KvCacheType.F16), 16, budget);
        Assert.Equal(budget / (2 * 2 * 128 * 4 * 16), floats.PageCount);
        Assert.Equal(2 * floats.PageCount, halves.PageCount);
    }
}
