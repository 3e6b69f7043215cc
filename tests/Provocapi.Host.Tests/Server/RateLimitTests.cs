using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Tests.Server;

/// <summary>The fixture's reserved tier allows 3 requests and 1,000 tokens per minute.</summary>
[Collection(ServerCollection.Name)]
public sealed class RateLimitTests(ServerFixture server)
{
    [Fact]
    public async Task Over_the_requests_per_minute_is_429_with_retry_after_and_OpenAIs_headers()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("rpm"), Tier.Reserved));
        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.GetAsync("/v1/models");
            Assert.Equal(200, (int)ok.StatusCode);
            Assert.Equal("3", ok.Header("x-ratelimit-limit-requests"));
            Assert.Equal((2 - i).ToString(), ok.Header("x-ratelimit-remaining-requests"));
            Assert.Matches(@"^\d+(\.\d+)?(ms|s)$", ok.Header("x-ratelimit-reset-requests"));
        }
        using var limited = await client.GetAsync("/v1/models");
        var error = await limited.AssertErrorAsync(429, "rate_limit_exceeded", type: "requests");
        var retryAfter = int.Parse(limited.Header("Retry-After"));
        Assert.InRange(retryAfter, 1, 20);  // one request refills in 20 s at 3 per minute
        Assert.Equal("0", limited.Header("x-ratelimit-remaining-requests"));
        Assert.Contains("requests per minute", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Tokens_per_minute_count_the_prompt_and_max_tokens_and_refund_what_was_not_used()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("tpm"), Tier.Reserved));
        await server.ReadyClientAsync();
        // A request that could use more than a minute's tokens can never run.
        using var tooBig = await client.PostJsonAsync("/v1/completions", new { model = "tiny", prompt = "a", max_tokens = 1500 });
        var error = await tooBig.AssertErrorAsync(429, "rate_limit_exceeded", type: "tokens");
        Assert.Contains("max_tokens", error.GetProperty("message").GetString());
        Assert.Equal("1000", tooBig.Header("x-ratelimit-limit-tokens"));

        // 2 prompt tokens + 600 reserved; a stop string ends it after a few, the rest is refunded, so a second 600 fits.
        var greedy = await server.Engine("tiny").GenerateTextAsync(new() { Prompt = "a", Sampling = Engine.Sampling.SamplingOptions.Greedy, MaxTokens = 8 });
        var stop = greedy.Text.Substring(greedy.Text.Length / 2, 2);
        using var first = await client.PostJsonAsync("/v1/completions", new { model = "tiny", prompt = "a", max_tokens = 600, stop, temperature = 0 });
        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal("398", first.Header("x-ratelimit-remaining-tokens"));  // written when the tokens are reserved
        Assert.Equal("stop", (await first.JsonAsync()).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        using var second = await client.PostJsonAsync("/v1/completions", new { model = "tiny", prompt = "a", max_tokens = 600 });
        Assert.Equal(200, (int)second.StatusCode);
    }
}
