using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using Provocapi.Core;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Store;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Server;

/// <summary>
/// The real server in process (WebApplicationFactory over <c>Program</c>), on a fresh data folder, serving:
/// <c>demo</c> (the random-weight d64 Llama, alias <c>default</c>), <c>tiny</c> (a synthetic stories15M-shaped
/// model, slow enough to disconnect from), <c>cramped</c> (the d64 model with one 16-token KV page) and
/// <c>private</c> (visible to tenant <c>acme</c> only), <c>cramped-halves</c> (<c>cramped</c>'s cache bytes as halves:
/// two pages), and three tiny synthetic models that run one sequence at a time: <c>single</c> (a queue of one),
/// <c>impatient</c> (0.3 s of queue wait at most) and <c>doomed</c> (for a test to unload). Tiers have test-sized limits.
/// </summary>
public sealed class ServerFixture : WebApplicationFactory<Program>
{
    public const string WorkerId = "test-worker-1";
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("provocapi-server-").FullName;
    static readonly string DemoPath = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Provocapi:DataDirectory"] = DataDirectory,
            ["Provocapi:WorkerId"] = WorkerId,
            ["Provocapi:MaxRequestBodyBytes"] = "65536",
            ["Provocapi:Models:0:Id"] = "demo",
            ["Provocapi:Models:0:Path"] = DemoPath,
            ["Provocapi:Models:0:Aliases:0"] = "default",
            ["Provocapi:Models:1:Id"] = "tiny",
            ["Provocapi:Models:1:Path"] = "synthetic:tiny:Q8_0",
            ["Provocapi:Models:1:Tokenizer"] = TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf"),
            ["Provocapi:Models:1:Threads"] = "1",
            ["Provocapi:Models:2:Id"] = "cramped",
            ["Provocapi:Models:2:Path"] = DemoPath,
            ["Provocapi:Models:2:KvCacheBytes"] = "16384",
            ["Provocapi:Models:2:KvPageSize"] = "16",
            ["Provocapi:Models:3:Id"] = "private",
            ["Provocapi:Models:3:Path"] = DemoPath,
            ["Provocapi:Models:3:Tenants:0"] = "acme",
            // Models 4 (single), 5 (impatient) and 7 (doomed) are OneSequenceAtATime, these two with their queue bounds.
            ["Provocapi:Models:4:MaxQueueLength"] = "1",
            ["Provocapi:Models:5:MaxQueueWaitSeconds"] = "0.3",
            ["Provocapi:Models:6:Id"] = "cramped-halves",
            ["Provocapi:Models:6:Path"] = DemoPath,
            ["Provocapi:Models:6:KvCacheBytes"] = "16384",
            ["Provocapi:Models:6:KvPageSize"] = "16",
            ["Provocapi:Models:6:KvCacheType"] = "F16",
            ["Provocapi:Tiers:Shared:RequestsPerMinute"] = "100000",
            ["Provocapi:Tiers:Shared:TokensPerMinute"] = "100000000",
            ["Provocapi:Tiers:Shared:MaxTokens"] = "8192",
            ["Provocapi:Tiers:Reserved:RequestsPerMinute"] = "3",
            ["Provocapi:Tiers:Reserved:TokensPerMinute"] = "1000",
            ["Provocapi:Tiers:Dedicated:RequestsPerMinute"] = "0",
            ["Provocapi:Tiers:Dedicated:TokensPerMinute"] = "0",
        };
        foreach (var (index, id) in new[] { (4, "single"), (5, "impatient"), (7, "doomed") })
            foreach (var (key, value) in OneSequenceAtATime(index, id)) settings[key] = value;
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    /// <summary>Model list entry <paramref name="index"/>: a tiny synthetic model on one thread that runs one sequence at a time.</summary>
    static Dictionary<string, string> OneSequenceAtATime(int index, string id)
    {
        var entry = $"Provocapi:Models:{index}:";
        return new()
        {
            [entry + "Id"] = id,
            [entry + "Path"] = "synthetic:tiny:Q8_0",
            [entry + "Tokenizer"] = TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf"),
            [entry + "Threads"] = "1",
            [entry + "KvCacheBytes"] = "67108864",
            [entry + "MaxRunningSequences"] = "1",
        };
    }

    /// <summary>Waits until every model is loaded, so tests start from a ready server.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = CreateClient();
        for (var i = 0; i < 600; i++)
        {
            if ((await client.GetAsync("/ready")).IsSuccessStatusCode) return client;
            await Task.Delay(100);
        }
        throw new TimeoutException("the server's models did not load");
    }

    /// <summary>A new key (and tenant if needed), created the way <c>provocapi keys create</c> does, in the server's store.</summary>
    public string CreateKey(string tenant, Tier tier = Tier.Shared) => Keys.CreateKey(tenant, tier).Key;

    public static string UniqueTenant(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    public KeyStore Keys => Services.GetRequiredService<KeyStore>();

    public LoadedModel Engine(string id) => Services.GetRequiredService<ModelCatalog>().Models.Single(m => m.Id == id).Engine!;

    public HttpClient ClientWithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>The official OpenAI .NET SDK pointed at this server, without retries so errors surface at once.</summary>
    public OpenAIClient OpenAI(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(Server.BaseAddress, "/v1"),
        Transport = new HttpClientPipelineTransport(CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
