using Provocapi.Host.Modules.Keys.RateLimits;

namespace Provocapi.Host.Tests.Keys;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_allows_its_limit_then_says_when_the_next_take_fits()
    {
        var bucket = new TokenBucket(60);
        for (var i = 0; i < 60; i++) Assert.True(bucket.TryTake(1).Taken);
        var refused = bucket.TryTake(1);
        Assert.False(refused.Taken);
        Assert.Equal(0, refused.Remaining);
        // One per second refills: the next request fits within a second, the bucket is full within a minute.
        Assert.InRange(refused.RetryAfter.TotalSeconds, 0.9, 1.0);
        Assert.InRange(refused.UntilFull.TotalSeconds, 59, 60);
    }

    [Fact]
    public void A_take_larger_than_the_capacity_never_fits_and_a_refund_comes_back()
    {
        var bucket = new TokenBucket(1000);
        Assert.False(bucket.TryTake(1001).Taken);
        Assert.True(bucket.TryTake(900).Taken);
        Assert.False(bucket.TryTake(500).Taken);
        bucket.Give(800);
        var after = bucket.TryTake(500);
        Assert.True(after.Taken);
        Assert.InRange(after.Remaining, 400, 420);
        bucket.Give(5000);
        Assert.Equal(999, bucket.TryTake(1).Remaining);
    }

    [Fact]
    public async Task Concurrent_takes_never_exceed_the_capacity()
    {
        var bucket = new TokenBucket(600);
        var taken = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
                if (bucket.TryTake(1).Taken) Interlocked.Increment(ref taken);
        })));
        Assert.InRange(taken, 600, 610);  // 600 plus what refilled (10 per second) while the loop ran
    }
}
