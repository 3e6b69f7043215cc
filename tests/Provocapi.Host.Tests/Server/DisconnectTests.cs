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
}
