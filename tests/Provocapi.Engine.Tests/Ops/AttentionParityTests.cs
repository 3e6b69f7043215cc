using Provocapi.Engine.KvCache;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>The paged attention kernel against its reference on random caches spanning several pages.</summary>
public sealed unsafe class AttentionParityTests
{
    [Theory]
    [InlineData(4, 2, 16, 1, 4)]
    [InlineData(4, 2, 16, 37, 4)]
    [InlineData(6, 2, 16, 64, 16)]
    [InlineData(9, 3, 64, 100, 16)]
    [InlineData(8, 8, 8, 5, 3)]
    [InlineData(32, 4, 64, 129, 32)]
    [InlineData(4, 2, 128, 70, 16)]
    [InlineData(4, 2, 72, 23, 16)]
    [InlineData(4, 2, 12, 9, 4)]
    public void Head_matches_reference(int heads, int kvHeads, int headDim, int length, int pageSize)
    {
        var shape = new KvCacheShape(2, kvHeads, headDim);
        using var pool = new KvPagePool(shape, pageSize, length / pageSize + 3);
        using var other = new KvPageTable(pool);
        other.Reserve(pageSize); // interleave another sequence's page so the table is not contiguous
        using var table = new KvPageTable(pool);
        table.Reserve(length);
        var random = RandomData.Floats(length * shape.KvDim * 2, length);
        for (var t = 0; t < length; t++)
        {
            var (page, slot) = table.Locate(t);
            for (var i = 0; i < shape.KvDim; i++)
            {
                pool.Key(1, page, slot)[i] = random[t * shape.KvDim + i] * 4;
                pool.Value(1, page, slot)[i] = random[(length + t) * shape.KvDim + i];
            }
        }
        var g = new Attention.Geometry(heads, kvHeads, headDim);
        var query = RandomData.Floats(heads * headDim, heads);
        float[] fast = new float[heads * headDim], reference = new float[heads * headDim];
        Array.Fill(fast, float.NaN); // every output column must be written, not added to
        var scores = new float[length];
        for (var h = 0; h < heads; h++)
        {
            Attention.Head(query, table, 1, length, g, h, fast, scores);
            Attention.Reference(query, table, 1, length, g, h, reference);
        }
        Assert.True(RandomData.NormalizedError(fast, reference) < 1e-5, $"error {RandomData.NormalizedError(fast, reference)}");
    }
}
