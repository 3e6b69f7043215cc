using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Provocapi.Core;
using Provocapi.Core.Adapters;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Tests.Cluster;
using Provocapi.Host.Tests.Server;
using Provocapi.Tests;
using static Provocapi.Host.Tests.Adapters.AdapterUploads;

namespace Provocapi.Host.Tests.Adapters.Cluster;

/// <summary>
/// Adapters in a real cluster: uploaded to the gateway (which loads no model), fetched by the worker a request lands
/// on, served there exactly as the engine serves them in process, and deleted everywhere.
/// </summary>
[Collection(AdapterClusterCollection.Name)]
public sealed class AdapterClusterTests(AdapterClusterFixture cluster)
{
    static readonly int[] Prompt = [2045, 464, 1000, 77, 300];
    const int MaxTokens = 12;

    static readonly Lazy<Task<LoadedModel>> Demo = new(() => LoadedModel.LoadAsync(DemoModel.Path));

    static async Task<string> WritePeftAsync(int seed)
    {
        var demo = await Demo.Value;
        return TestLoraAdapter.Random(demo.Model.Config, rank: 4, alpha: 8, seed).WritePeft();
    }

    static Task<JsonElement> UploadAsync(HttpClient client, string name, string folder) => AdapterUploads.UploadAsync(client, name, "demo", PeftFiles(folder));

    static Task<HttpResponseMessage> CompleteAsync(HttpClient client, string model) =>
        client.PostJsonAsync("/v1/completions", new { model, prompt = Prompt, max_tokens = MaxTokens, temperature = 0 });

    static async Task<string> TextAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    /// <summary>The greedy continuation of <see cref="Prompt"/> with the adapter in <paramref name="folder"/>, computed here in process.</summary>
    static async Task<string> ReferenceAsync(string folder)
    {
        var demo = await Demo.Value;
        var registry = new AdapterRegistry(1L << 30);
        registry.Register(new AdapterRegistration("reference", null, "demo", "reference", folder));
        var adapter = registry.Acquire("reference", demo.Model.Config);
        try
        {
            return (await demo.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, Sampling = SamplingOptions.Greedy, MaxTokens = MaxTokens, Adapter = adapter })).Text;
        }
        finally { adapter.Release(); }
    }

    IReadOnlyList<string> Fetches(string workerId, string adapterId) => AdapterClusterFixture.Fetches(cluster.Nodes.Workers[workerId], adapterId);

    static async Task Eventually(Func<bool> condition, string what)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition(), what);
    }

    HttpClient Internal(string? authorization)
    {
        var client = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress };
        if (authorization != null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", authorization);
        return client;
    }

    [Fact]
    public async Task An_adapter_uploaded_to_the_gateway_is_fetched_by_the_worker_a_request_lands_on_and_served_as_in_process()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-serve"));
        var folder = await WritePeftAsync(seed: 11);
        var adapter = await UploadAsync(client, "support-bot", folder);
        Assert.Equal("ready", adapter.GetProperty("status").GetString());
        Assert.Equal(4, adapter.GetProperty("rank").GetInt32());
        var id = adapter.GetProperty("id").GetString()!;

        using var plain = await CompleteAsync(client, "demo");
        var plainText = await TextAsync(plain);
        using var tuned = await CompleteAsync(client, "demo:support-bot");
        var tunedText = await TextAsync(tuned);
        Assert.Equal("demo:support-bot", tuned.Header("X-Provocapi-Model"));
        Assert.NotEqual(plainText, tunedText);
        Assert.Equal(await ReferenceAsync(folder), tunedText);

        var served = tuned.Header("X-Provocapi-Worker");
        Assert.Contains(served, AdapterClusterFixture.WorkerIds);
        var fetched = Assert.Single(Fetches(served, id));
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "adapter_model.safetensors")), File.ReadAllBytes(Path.Combine(fetched, "adapter_model.safetensors")));

        // Names no adapter of the caller's tenant: the workers find none to fetch.
        await (await CompleteAsync(client, "demo:no-such-adapter")).AssertErrorAsync(404, "adapter_not_found", "model");
        using var stranger = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-stranger"));
        await (await CompleteAsync(stranger, "demo:support-bot")).AssertErrorAsync(404, "adapter_not_found", "model");
    }

    [Fact]
    public async Task An_adapter_the_gateway_downloads_from_the_hub_reaches_the_workers_too()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-hub"));
        var folder = await WritePeftAsync(seed: 18);
        cluster.Hub.Publish("owner/cluster-lora", "main", folder);
        using var created = await client.PostJsonAsync("/v1/adapters", new { name = "from-hub", base_model = "demo", hf_repo = "owner/cluster-lora" });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.JsonAsync()).GetProperty("id").GetString()!;
        string? status = null;
        for (var i = 0; i < 100 && status is not ("ready" or "failed"); i++, await Task.Delay(100))
            status = (await (await client.GetAsync($"/v1/adapters/{id}")).JsonAsync()).GetProperty("status").GetString();
        Assert.Equal("ready", status);

        using var tuned = await CompleteAsync(client, "demo:from-hub");
        Assert.Equal(await ReferenceAsync(folder), await TextAsync(tuned));
        Assert.Single(Fetches(tuned.Header("X-Provocapi-Worker"), id));
    }

    [Fact]
    public async Task Once_a_worker_holds_an_adapter_the_adapters_requests_go_to_it_and_plain_ones_still_spread()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-sticky"));
        var id = (await UploadAsync(client, "sticky", await WritePeftAsync(seed: 21))).GetProperty("id").GetString()!;
        using var first = await CompleteAsync(client, "demo:sticky");
        await TextAsync(first);
        var holder = first.Header("X-Provocapi-Worker");
        // The holder's next heartbeats (every 250 ms here) tell the gateway it holds the adapter.
        await Task.Delay(1000);

        var adapterServedBy = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            using var tuned = await CompleteAsync(client, "demo:sticky");
            await TextAsync(tuned);
            adapterServedBy.Add(tuned.Header("X-Provocapi-Worker"));
        }
        // Plain requests are not pinned: a burst of them spreads by load over both workers (one at a time, they would
        // follow whatever load the last heartbeats happened to catch, which says nothing about affinity).
        var plain = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CompleteAsync(client, "demo")));
        await Task.WhenAll(plain.Select(TextAsync));
        var plainServedBy = plain.Select(r => r.Header("X-Provocapi-Worker")).ToList();
        foreach (var response in plain) response.Dispose();
        Assert.All(adapterServedBy, w => Assert.Equal(holder, w));
        Assert.Equal(AdapterClusterFixture.WorkerIds.Order(), plainServedBy.Distinct().Order());
        Assert.Single(Fetches(holder, id));
        Assert.All(AdapterClusterFixture.WorkerIds.Where(w => w != holder), w => Assert.Empty(Fetches(w, id)));
    }

    [Fact]
    public async Task Concurrent_first_requests_on_a_worker_fetch_the_adapter_once()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-once"));
        var id = (await UploadAsync(client, "burst", await WritePeftAsync(seed: 12))).GetProperty("id").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CompleteAsync(client, "demo:burst")));
        var texts = await Task.WhenAll(responses.Select(TextAsync));
        Assert.Single(texts.Distinct());
        foreach (var workerId in AdapterClusterFixture.WorkerIds)
        {
            var servedHere = responses.Count(r => r.Header("X-Provocapi-Worker") == workerId);
            Assert.Equal(servedHere > 0 ? 1 : 0, Fetches(workerId, id).Count);
        }
        foreach (var response in responses) response.Dispose();
    }

    [Fact]
    public async Task The_gateways_file_endpoints_answer_only_the_cluster_secret()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-files"));
        var folder = await WritePeftAsync(seed: 13);
        var id = (await UploadAsync(client, "files", folder)).GetProperty("id").GetString()!;
        var tenantKey = client.DefaultRequestHeaders.Authorization!.Parameter;

        foreach (var path in new[] { $"/internal/adapters/{id}/files", $"/internal/adapters/{id}/files/adapter_config.json" })
        {
            using var anonymous = Internal(null);
            await (await anonymous.GetAsync(path)).AssertErrorAsync(401, "invalid_api_key");
            using var tenant = Internal(tenantKey);
            await (await tenant.GetAsync(path)).AssertErrorAsync(401, "invalid_api_key");
            using var wrong = Internal(ClusterNodes.Secret + "x");
            await (await wrong.GetAsync(path)).AssertErrorAsync(401, "invalid_api_key");
        }

        using var node = Internal(ClusterNodes.Secret);
        var list = await (await node.GetAsync($"/internal/adapters/{id}/files")).JsonAsync();
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], list.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        var weights = File.ReadAllBytes(Path.Combine(folder, "adapter_model.safetensors"));
        using var sent = await node.GetAsync($"/internal/adapters/{id}/files/adapter_model.safetensors");
        // Streamed from the store a part at a time, with its length up front, so a cut-short file cannot pass for whole.
        Assert.Equal(weights.Length, sent.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", sent.Content.Headers.ContentType?.MediaType);
        Assert.Equal(weights, await sent.Content.ReadAsByteArrayAsync());
        await (await node.GetAsync($"/internal/adapters/{id}/files/secrets.txt")).AssertErrorAsync(404, "adapter_not_found");
        await (await node.GetAsync("/internal/adapters/adp_000000000000000000000000/files")).AssertErrorAsync(404, "adapter_not_found");
    }

    [Fact]
    public async Task A_delete_through_the_gateway_reaches_the_workers_at_once()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-delete"));
        var id = (await UploadAsync(client, "short-lived", await WritePeftAsync(seed: 14))).GetProperty("id").GetString()!;
        // Both workers fetch it: requests sent together spread over them (neither holds it yet).
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CompleteAsync(client, "demo:short-lived")));
        foreach (var response in responses) await TextAsync(response);
        var cached = AdapterClusterFixture.WorkerIds.SelectMany(w => Fetches(w, id)).ToList();
        Assert.NotEmpty(cached);
        Assert.All(cached, folder => Assert.True(Directory.Exists(folder)));

        using var deleted = await client.DeleteAsync($"/v1/adapters/{id}");
        Assert.True((await deleted.JsonAsync()).GetProperty("deleted").GetBoolean());
        Assert.All(cached, folder => Assert.False(Directory.Exists(folder), $"{folder} is still there"));
        for (var i = 0; i < 4; i++)
            await (await CompleteAsync(client, "demo:short-lived")).AssertErrorAsync(404, "adapter_not_found", "model");
        using var node = Internal(ClusterNodes.Secret);
        await (await node.GetAsync($"/internal/adapters/{id}/files")).AssertErrorAsync(404, "adapter_not_found");
    }

    [Fact]
    public async Task A_worker_that_missed_the_delete_drops_the_adapter_at_its_next_check_against_the_store()
    {
        await using var nodes = await AdapterClusterFixture.StartAsync(cluster.Hub.Url);
        var worker = await nodes.AddWorkerAsync("w-paused", AdapterClusterFixture.WorkerArgs);
        using var client = nodes.Client(await nodes.CreateKeyAsync(AdapterServerFixture.UniqueTenant("cluster-sweep")));
        var id = (await UploadAsync(client, "missed", await WritePeftAsync(seed: 15))).GetProperty("id").GetString()!;
        await TextAsync(await CompleteAsync(client, "demo:missed"));
        var folder = Assert.Single(AdapterClusterFixture.Fetches(worker, id));

        // Frozen past the worker timeout, the worker is not healthy, so the gateway's delete sends it no notice.
        ProcessPause.Freeze(worker);
        try
        {
            await nodes.WaitForWorkersAsync(0);
            using var deleted = await client.DeleteAsync($"/v1/adapters/{id}");
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.True(Directory.Exists(folder));
        }
        finally { ProcessPause.Thaw(worker); }

        await Eventually(() => !Directory.Exists(folder), "the worker kept the adapter after it left the store");
        await nodes.WaitForWorkersAsync(1);
        await (await CompleteAsync(client, "demo:missed")).AssertErrorAsync(404, "adapter_not_found", "model");
    }

    [Fact]
    public async Task The_gateway_checks_an_upload_against_the_base_model_its_workers_report()
    {
        using var client = await cluster.ClientAsync(AdapterServerFixture.UniqueTenant("cluster-base"));
        var folder = await WritePeftAsync(seed: 16);
        using var form = Form("nowhere", "no-such-model", PeftFiles(folder));
        await (await client.PostAsync("/v1/adapters/upload", form)).AssertErrorAsync(404, "model_not_found", "base_model");

        // A rank-4 adapter shaped for another model does not fit the demo model's projections.
        var misfit = TestLoraAdapter.Random((await Demo.Value).Model.Config with { EmbeddingDim = 64 }, rank: 4, alpha: 8, seed: 17).WritePeft();
        using var wrongShape = Form("misfit", "default", PeftFiles(misfit));
        await (await client.PostAsync("/v1/adapters/upload", wrongShape)).AssertErrorAsync(400, "invalid_adapter");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/adapters")).StatusCode);
    }
}
