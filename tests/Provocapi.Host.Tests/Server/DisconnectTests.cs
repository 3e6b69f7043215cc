namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class DisconnectTests(ServerFixture server)
{
    [Fact]
    public async Task A_client_that_disconnects_stops_its_generation_within_a_decode_step()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("gone"), Platform.Callers.Tier.Dedicated));
        await server.ReadyClientAsync();
        var engine = server.Engine("tiny");
        var before = engine.ForwardTokens;
        using var cancel = new CancellationTokenSource();
        var response = await client.PostJsonAsync("/v1/completions",
            new { model = "tiny", prompt = "a", max_tokens = 2000, temperature = 1, stream = true }, cancel.Token);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        var buffer = new byte[256];
        Assert.True(await stream.ReadAsync(buffer, cancel.Token) > 0);
        Assert.Equal(1, engine.RunningGenerations);

        cancel.Cancel();
        response.Dispose();
        var stoppedAt = DateTime.UtcNow;
        while (engine.RunningGenerations > 0 && DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(10)) await Task.Delay(2);
        Assert.Equal(0, engine.RunningGenerations);
        var afterStop = engine.ForwardTokens;
        await Task.Delay(300);
        // Stopped for good, long before the 2,000 tokens asked for.
        Assert.Equal(afterStop, engine.ForwardTokens);
        Assert.True(afterStop - before < 1000, $"{afterStop - before} tokens ran");
    }

    [Fact]
    public async Task A_client_that_stops_reading_pauses_its_own_sequence_and_no_other()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("slow"), Platform.Callers.Tier.Dedicated));
        await server.ReadyClientAsync();
        var engine = server.Engine("tiny");
        using var cancel = new CancellationTokenSource();
        using var slow = await client.PostJsonAsync("/v1/completions",
            new { model = "tiny", prompt = "a", max_tokens = 1900, temperature = 1, stream = true }, cancel.Token);
        var stream = await slow.Content.ReadAsStreamAsync(cancel.Token);
        Assert.True(await stream.ReadAsync(new byte[64], cancel.Token) > 0);

        // Unread, the stream backs up through the transport, the merge and the engine's few unread chunks: the
        // sequence stops well short of its 1,900 tokens and stays admitted, waiting for its reader.
        var last = await EngineProgress.UntilStalledAsync(engine);
        Assert.Equal(last, engine.ForwardTokens);
        Assert.Equal(1, engine.RunningGenerations);

        // Meanwhile another request on the same model runs to the end.
        using var other = await client.PostJsonAsync("/v1/completions", new { model = "tiny", prompt = "b", max_tokens = 5 });
        Assert.Equal(5, (await other.JsonAsync()).GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        cancel.Cancel();
        slow.Dispose();
        for (var i = 0; i < 200 && engine.RunningGenerations > 0; i++) await Task.Delay(10);
        Assert.Equal(0, engine.RunningGenerations);
    }
}
