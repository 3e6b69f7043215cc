using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Tests.KvCache;

public sealed class KvPagePoolTests
{
    static KvPagePool Pool(int pages) => new(new KvCacheShape(1, 1, 4, KvCacheType.F32), pageSize: 4, pageCount: pages);

    static int[] Tokens(params int[] tokens) => tokens;

    [Fact]
    public void A_shared_page_is_freed_by_its_last_holder_only()
    {
        using var pool = Pool(2);
        Assert.True(pool.TryRent(out var page));
        var key = PrefixPageIndex.Key(0, Tokens(1, 2, 3, 4));
        pool.IndexPrefix(page, key, 0, -1, Tokens(1, 2, 3, 4));
        Assert.True(pool.TryHoldPrefix(key, 0, -1, Tokens(1, 2, 3, 4), out var shared));
        Assert.Equal(page, shared);
        pool.Release(page);
        Assert.Equal(1, pool.FreePages);  // still held once
        pool.Release(page);
        Assert.Equal(2, pool.FreePages);  // unheld but cached: free to rent, still findable
        Assert.True(pool.TryHoldPrefix(key, 0, -1, Tokens(1, 2, 3, 4), out _));
        pool.Release(page);
        Assert.Throws<InvalidOperationException>(() => pool.Release(page));
    }

    [Fact]
    public void A_key_match_with_other_tokens_or_another_parent_page_is_no_hit()
    {
        using var pool = Pool(2);
        Assert.True(pool.TryRent(out var page));
        var key = PrefixPageIndex.Key(7, Tokens(1, 2, 3, 4));
        pool.IndexPrefix(page, key, 0, 7, Tokens(1, 2, 3, 4));
        // The same key presented with different content (as a hash collision would) is refused.
        Assert.False(pool.TryHoldPrefix(key, 0, 7, Tokens(1, 2, 3, 5), out _));
        Assert.False(pool.TryHoldPrefix(key, 0, 8, Tokens(1, 2, 3, 4), out _));
        Assert.True(pool.TryHoldPrefix(key, 0, 7, Tokens(1, 2, 3, 4), out _));
    }

    [Fact]
    public void A_first_page_indexed_under_one_root_is_no_hit_under_another()
    {
        using var pool = Pool(2);
        Assert.True(pool.TryRent(out var page));
        // Root 0 is the base model; 42 stands for a LoRA adapter whose keys and values differ for the same tokens.
        var key = PrefixPageIndex.Key(0, Tokens(1, 2, 3, 4));
        pool.IndexPrefix(page, key, 0, -1, Tokens(1, 2, 3, 4));
        Assert.False(pool.TryHoldPrefix(key, 42, -1, Tokens(1, 2, 3, 4), out _));
        Assert.True(pool.TryHoldPrefix(key, 0, -1, Tokens(1, 2, 3, 4), out _));
    }

    [Fact]
    public void Unheld_cached_pages_are_evicted_least_recently_used_first_and_only_when_free_pages_run_out()
    {
        using var pool = Pool(3);
        var keys = new ulong[3];
        for (var i = 0; i < 3; i++)
        {
            Assert.True(pool.TryRent(out var page));
            keys[i] = PrefixPageIndex.Key(0, Tokens(i, i, i, i));
            pool.IndexPrefix(page, keys[i], 0, 0, Tokens(i, i, i, i));
        }
        pool.Release(1);
        pool.Release(0);
        pool.Release(2);
        Assert.Equal(3, pool.CachedPages);
        Assert.True(pool.TryRent(out var reused));
        Assert.Equal(1, reused);  // released first, so least recently used
        Assert.False(pool.TryHoldPrefix(keys[1], 0, 0, Tokens(1, 1, 1, 1), out _));
        Assert.True(pool.TryHoldPrefix(keys[0], 0, 0, Tokens(0, 0, 0, 0), out _));
        Assert.Equal(2, pool.CachedPages);
    }

    [Fact]
    public void A_table_adopting_cached_pages_counts_their_positions()
    {
        using var pool = Pool(4);
        using var writer = new KvPageTable(pool);
        writer.Reserve(8);
        writer.Advance(8);
        var first = PrefixPageIndex.Key(0, Tokens(1, 2, 3, 4));
        pool.IndexPrefix(writer.Pages[0], first, 0, -1, Tokens(1, 2, 3, 4));
        using var reader = new KvPageTable(pool);
        Assert.True(pool.TryHoldPrefix(first, 0, -1, Tokens(1, 2, 3, 4), out var page));
        reader.AppendFilled(page);
        Assert.Equal(4, reader.Length);
        Assert.Equal(writer.Pages[0], reader.Pages[0]);
        reader.Dispose();
        writer.Dispose();
        Assert.Equal(4, pool.FreePages);
    }
}
