using Provocapi.Engine.KvCache;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>The paged attention kernel against its reference on random caches spanning several pages, of floats and of
/// halves (the reference reads the same stored halves).</summary>
public sealed unsafe class AttentionParityTests
{
    [Theory]
    [InlineData(4, 2, 16, 1, 4, KvCacheType.F32)]
    [InlineData(4, 2, 16, 37, 4, KvCacheType.F32)]
    [InlineData(6, 2, 16, 64, 16, KvCacheType.F32)]
    [InlineData(9, 3, 64, 100, 16, KvCacheType.F32)]
    [InlineData(8, 8, 8, 5, 3, KvCacheType.F32)]
    [InlineData(32, 4, 64, 129, 32, KvCacheType.F32)]
    [InlineData(4, 2, 128, 70, 16, KvCacheType.F32)]
    [InlineData(4, 2, 72, 23, 16, KvCacheType.F32)]
    [InlineData(4, 2, 12, 9, 4, KvCacheType.F32)]
    [InlineData(4, 2, 16, 1, 4, KvCacheType.F16)]
    [InlineData(4, 2, 16, 37, 4, KvCacheType.F16)]
    [InlineData(6, 2, 16, 64, 16, KvCacheType.F16)]
    [InlineData(9, 3, 64, 100, 16, KvCacheType.F16)]
    [InlineData(8, 8, 8, 5, 3, KvCacheType.F16)]
    [InlineData(32, 4, 64, 129, 32, KvCacheType.F16)]
    [InlineData(4, 2, 128, 70, 16, KvCacheType.F16)]
    [InlineData(4, 2, 72, 23, 16, KvCacheType.F16)]
    [InlineData(4, 2, 12, 9, 4, KvCacheType.F16)]
    public void Heads_match_reference(int heads, int kvHeads, int headDim, int length, int pageSize, KvCacheType type)
    {
        var shape = new KvCacheShape(2, kvHeads, headDim, type);
        using var pool = new KvPagePool(shape, pageSize, length / pageSize + 3);
        using var other = new KvPageTable(pool);
        other.Reserve(pageSize); // interleave another sequence's page so the table is not contiguous
        using var table = new KvPageTable(pool);
        table.Reserve(length);
        var random = RandomData.Floats(length * shape.KvDim * 2, length);
        for (var t = 0; t < length; t++)
        {
            var (page, slot) = table.Locate(t);
            var key = random.Skip(t * shape.KvDim).Take(shape.KvDim).Select(k => k * 4).ToArray();
            pool.Store(1, page, slot, key, random.AsSpan((length + t) * shape.KvDim, shape.KvDim));
        }
        var g = new Attention.Geometry(heads, kvHeads, headDim);
        var query = RandomData.Floats(heads * headDim, heads);
        float[] fast = new float[heads * headDim], reference = new float[heads * headDim];
        Array.Fill(fast, float.NaN); // every output column must be written, not added to
        var scratch = new float[Attention.ScratchLength(g, g.GroupSize, length, pageSize)];
        for (var kvHead = 0; kvHead < kvHeads; kvHead++) Attention.Heads(query, table, 1, length, g, kvHead * g.GroupSize, g.GroupSize, fast, scratch);
        for (var h = 0; h < heads; h++) Attention.Reference(query, table, 1, length, g, h, reference);
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-5, $"error {RandomData.NormalizedError(fast, reference)}");

        // Each head alone, as when a group is split over threads, gives the same bits.
        var alone = new float[heads * headDim];
        for (var h = 0; h < heads; h++) Attention.Heads(query, table, 1, length, g, h, 1, alone, scratch);
        Assert.Equal(fast, alone);
    }

    [Fact]
    public void Heads_from_two_kv_groups_are_refused()
    {
        var shape = new KvCacheShape(1, 2, 8, KvCacheType.F32);
        using var pool = new KvPagePool(shape, 4, 2);
        using var table = new KvPageTable(pool);
        table.Reserve(4);
        var g = new Attention.Geometry(4, 2, 8);
        var output = new float[4 * 8];
        Assert.Throws<ArgumentOutOfRangeException>(() => Attention.Heads(new float[4 * 8], table, 0, 4, g, 1, 2, output, new float[64]));
    }
}
