using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Modules.Keys.RateLimits;

namespace Provocapi.Host.Tests.Keys;

public sealed class ApiKeyTests
{
    [Fact]
    public void Keys_are_random_url_safe_and_found_by_their_prefix()
    {
        var keys = Enumerable.Range(0, 200).Select(_ => ApiKey.Generate()).ToList();
        Assert.Equal(200, keys.Distinct().Count());
        Assert.All(keys, k =>
        {
            Assert.Matches("^pk-prov-[A-Za-z0-9_-]{40}$", k);
            Assert.Equal(k[..20], ApiKey.PrefixOf(k));
            Assert.True(ApiKey.Matches(k, ApiKey.Hash(k)));
            Assert.False(ApiKey.Matches(k + "x", ApiKey.Hash(k)));
        });
        Assert.Null(ApiKey.PrefixOf("sk-" + new string('a', 45)));
        Assert.Null(ApiKey.PrefixOf("pk-prov-" + new string('a', 39)));
        Assert.Null(ApiKey.PrefixOf("pk-prov-" + new string('a', 39) + "!"));
    }

    [Theory]
    [InlineData(0.25, "250ms")]
    [InlineData(1.5, "1.5s")]
    [InlineData(20, "20s")]
    [InlineData(360, "6m0s")]
    [InlineData(61.5, "1m1s")]
    public void Reset_durations_use_OpenAIs_format(double seconds, string expected) =>
        Assert.Equal(expected, TenantRateLimiter.Duration(TimeSpan.FromSeconds(seconds)));
}
