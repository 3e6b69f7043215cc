using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Tests.Server;

/// <summary>Admission control as the API shows it: a full queue is 503, or 429 for the tenant holding it; a long wait is 503.</summary>
[Collection(ServerCollection.Name)]
public sealed class AdmissionTests(ServerFixture server)
{
    [Fact]
    public async Task A_full_queue_is_429_for_the_tenant_over_its_share_and_503_for_others()
    {
        await server.ReadyClientAsync();
        using var busy = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("busy"), Tier.Dedicated));
        using var other = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("other"), Tier.Dedicated));
        var engine = server.Engine("single");
        using var cancel = new CancellationTokenSource();
        // One running, one queued (the queue holds one): both 'busy'.
        var running = busy.PostJsonAsync("/v1/completions", new { model = "single", prompt = "a", max_tokens = 1500, stream = true }, cancel.Token);
        while (engine.RunningGenerations == 0) await Task.Delay(5);
        var queued = busy.PostJsonAsync("/v1/completions", new { model = "single", prompt = "b", max_tokens = 2, stream = true }, cancel.Token);
        while (engine.Scheduler.QueueLength == 0) await Task.Delay(5);

        using var mine = await busy.PostJsonAsync("/v1/completions", new { model = "single", prompt = "c", max_tokens = 2 });
        await mine.AssertErrorAsync(429, "rate_limit_exceeded");
        Assert.True(int.Parse(mine.Header("Retry-After")) >= 1);
        using var theirs = await other.PostJsonAsync("/v1/completions", new { model = "single", prompt = "d", max_tokens = 2 });
        await theirs.AssertErrorAsync(503, "no_capacity", type: "server_error");
        Assert.True(int.Parse(theirs.Header("Retry-After")) >= 1);

        cancel.Cancel();
        await DisposeAsync(running);
        await DisposeAsync(queued);
        while (engine.RunningGenerations > 0 || engine.Scheduler.QueueLength > 0) await Task.Delay(5);
    }

    [Fact]
    public async Task A_request_that_waits_past_the_limit_is_503()
    {
        await server.ReadyClientAsync();
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("wait"), Tier.Dedicated));
        var engine = server.Engine("impatient");
        using var cancel = new CancellationTokenSource();
        var running = client.PostJsonAsync("/v1/completions", new { model = "impatient", prompt = "a", max_tokens = 1500, stream = true }, cancel.Token);
        while (engine.RunningGenerations == 0) await Task.Delay(5);
        using var waited = await client.PostJsonAsync("/v1/completions", new { model = "impatient", prompt = "b", max_tokens = 2 });
        var error = await waited.AssertErrorAsync(503, "no_capacity");
        Assert.Contains("waited", error.GetProperty("message").GetString());
        Assert.True(long.Parse(waited.Header("X-Provocapi-Queue-Ms")) >= 0);
        cancel.Cancel();
        await DisposeAsync(running);
        while (engine.RunningGenerations > 0) await Task.Delay(5);
    }

    /// <summary>Hangs up on a streaming request, whether or not its headers had arrived.</summary>
    static async Task DisposeAsync(Task<HttpResponseMessage> response)
    {
        try { (await response).Dispose(); }
        catch (OperationCanceledException) { }
    }
}
