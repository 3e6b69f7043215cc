namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class HeaderTests(ServerFixture server)
{
    [Fact]
    public async Task A_well_formed_request_id_is_kept_and_a_bad_one_replaced()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("headers")));
        using var kept = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        kept.Headers.Add("X-Request-Id", "trace-42.a:b_c");
        Assert.Equal("trace-42.a:b_c", (await client.SendAsync(kept)).Header("X-Request-Id"));

        using var bad = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        bad.Headers.TryAddWithoutValidation("X-Request-Id", "<script>" + new string('x', 200));
        var replaced = (await client.SendAsync(bad)).Header("X-Request-Id");
        Assert.Matches("^req_[0-9a-f]{32}$", replaced);
    }

    [Fact]
    public async Task Generation_responses_name_the_resolved_model_the_worker_and_the_queue_wait()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("headers")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/chat/completions",
            """{"model": "default", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}""");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("demo", response.Header("X-Provocapi-Model"));
        Assert.Equal(ServerFixture.WorkerId, response.Header("X-Provocapi-Worker"));
        Assert.True(long.Parse(response.Header("X-Provocapi-Queue-Ms")) >= 0);
        Assert.Equal("demo", (await response.JsonAsync()).GetProperty("model").GetString());
    }

    [Fact]
    public async Task Queue_ms_is_the_wait_behind_a_running_generation()
    {
        // 'single' runs one sequence at a time: a request arriving behind a long one waits, and says so.
        var key = server.CreateKey(ServerFixture.UniqueTenant("queue"), Platform.Callers.Tier.Dedicated);
        using var client = server.ClientWithKey(key);
        await server.ReadyClientAsync();
        var engine = server.Engine("single");
        var longOne = client.PostJsonAsync("/v1/completions", new { model = "single", prompt = "a", max_tokens = 300, temperature = 0 });
        while (engine.RunningGenerations == 0) await Task.Delay(5);
        var started = DateTime.UtcNow;
        using var waiting = await client.PostJsonAsync("/v1/completions", new { model = "single", prompt = "b", max_tokens = 1 });
        var waited = DateTime.UtcNow - started;
        using var first = await longOne;
        Assert.Equal(200, (int)first.StatusCode);
        var queueMs = long.Parse(waiting.Header("X-Provocapi-Queue-Ms"));
        Assert.True(queueMs > 0 && queueMs <= waited.TotalMilliseconds + 1, $"queue {queueMs} ms, waited {waited.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Health_and_ready_answer_without_a_key()
    {
        using var client = await server.ReadyClientAsync();
        using var health = await client.GetAsync("/health");
        Assert.Equal(200, (int)health.StatusCode);
        using var ready = await client.GetAsync("/ready");
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Contains("demo", (await ready.JsonAsync()).GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }
}
