using System.Text.Json;
using Provocapi.Host.Tests.Server;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Adapters;

/// <summary><c>POST /v1/adapters</c> fetching from the loopback hub: pending → downloading → ready, or failed with a reason; only the hub is contacted.</summary>
[Collection(AdapterServerCollection.Name)]
public sealed class HubDownloadTests(AdapterServerFixture server)
{
    static async Task<JsonElement> WaitSettledAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 300; i++)
        {
            var adapter = await (await client.GetAsync($"/v1/adapters/{id}")).JsonAsync();
            if (adapter.GetProperty("status").GetString() is "ready" or "failed") return adapter;
            await Task.Delay(50);
        }
        throw new TimeoutException($"adapter {id} did not settle");
    }

    async Task<(JsonElement Created, JsonElement Settled)> CreateAsync(HttpClient client, object body)
    {
        using var response = await client.PostJsonAsync("/v1/adapters", body);
        var created = await response.JsonAsync();
        Assert.True(202 == (int)response.StatusCode, created.ToString());
        return (created, await WaitSettledAsync(client, created.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task An_adapter_from_the_hub_becomes_ready_and_serves()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("hub"));
        var repo = $"acme/lora-{Guid.NewGuid():N}"[..20];
        server.Hub.Publish(repo, "v1", TestLoraAdapter.Random(server.Engine("d64").Model.Config, 4, 8f, 11).WritePeft());
        var (created, settled) = await CreateAsync(client, new { name = "from-hub", base_model = "d64", hf_repo = repo, revision = "v1" });
        Assert.Equal("pending", created.GetProperty("status").GetString());
        Assert.Equal(repo, created.GetProperty("hf_repo").GetString());
        Assert.True("ready" == settled.GetProperty("status").GetString(), settled.ToString());
        Assert.Equal(4, settled.GetProperty("rank").GetInt32());
        Assert.Equal(8f, settled.GetProperty("alpha").GetSingle());
        Assert.Contains(server.Hub.Requests, r => r.Path == $"{repo}/resolve/v1/adapter_model.safetensors" && r.Authorization == $"Bearer {AdapterServerFixture.HubToken}");
        using var completion = await client.PostJsonAsync("/v1/completions", new { model = "d64:from-hub", prompt = "Hello", max_tokens = 3 });
        Assert.Equal(200, (int)completion.StatusCode);
    }

    [Fact]
    public async Task A_missing_repository_or_a_misfit_adapter_fails_with_its_reason()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("hubfail"));
        var (_, missing) = await CreateAsync(client, new { name = "missing", base_model = "d64", hf_repo = "acme/does-not-exist" });
        Assert.Equal("failed", missing.GetProperty("status").GetString());
        Assert.Contains("no adapter_config.json in 'acme/does-not-exist' at revision 'main'", missing.GetProperty("failure_reason").GetString());

        var repo = $"acme/misfit-{Guid.NewGuid():N}"[..20];
        var config = server.Engine("d64").Model.Config;
        server.Hub.Publish(repo, "main", TestLoraAdapter.Random(config, 2, 2f, 12).WritePeft(targetModules: ["q_proj", "embed_tokens"]));
        var (_, misfit) = await CreateAsync(client, new { name = "misfit", base_model = "d64", hf_repo = repo });
        Assert.Equal("failed", misfit.GetProperty("status").GetString());
        Assert.Contains("'embed_tokens' is not supported", misfit.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task A_redirect_off_the_hub_is_not_followed()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("redirect"));
        var repo = $"acme/redir-{Guid.NewGuid():N}"[..20];
        // Same server, other host name: had the redirect been followed, the hub would have seen a request for 'localhost'.
        server.Hub.Redirect($"{repo}/resolve/main/adapter_config.json", $"http://localhost:{server.Hub.Url.Port}/elsewhere/adapter_config.json");
        var (_, settled) = await CreateAsync(client, new { name = "redirected", base_model = "d64", hf_repo = repo });
        Assert.Equal("failed", settled.GetProperty("status").GetString());
        Assert.Contains("not contacted", settled.GetProperty("failure_reason").GetString());
        Assert.DoesNotContain(server.Hub.Requests, r => r.Path.StartsWith("elsewhere", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../../etc", "hf_repo")]
    [InlineData("http://evil.example/x", "hf_repo")]
    [InlineData("acme/..", "hf_repo")]
    [InlineData("justonepart", "hf_repo")]
    public async Task Repository_names_that_could_leave_the_hub_are_refused(string repo, string param)
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("repo"));
        using var response = await client.PostJsonAsync("/v1/adapters", new { name = "x", base_model = "d64", hf_repo = repo });
        await response.AssertErrorAsync(400, "invalid_value", param);
    }

    [Fact]
    public async Task A_revision_that_could_climb_out_is_refused()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("rev"));
        using var response = await client.PostJsonAsync("/v1/adapters", new { name = "x", base_model = "d64", hf_repo = "acme/x", revision = "../../../api" });
        await response.AssertErrorAsync(400, "invalid_value", "revision");
    }
}
