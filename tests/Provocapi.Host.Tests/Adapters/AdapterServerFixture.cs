using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Core;
using Provocapi.Core.Adapters;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Keys;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Adapters;

/// <summary>
/// The real server in process serving the d64 Llama twice, from its Hugging Face folder (<c>d64</c>) and from its
/// GGUF file (<c>d64-gguf</c>), with adapters fetched from a <see cref="LoopbackHub"/> (with a token) and a 256 KiB
/// adapter size limit.
/// </summary>
public sealed class AdapterServerFixture : WebApplicationFactory<Program>
{
    public const string HubToken = "hub-test-token";
    public const long MaxAdapterBytes = 256 * 1024;
    readonly bool _ownsData;
    public string DataDirectory { get; }
    public LoopbackHub Hub { get; } = LoopbackHub.Start();

    public AdapterServerFixture() : this(Directory.CreateTempSubdirectory("provocapi-adapters-").FullName, ownsData: true) { }

    /// <summary>A second server over another's data folder (a restart), which leaves the folder to its owner.</summary>
    public static AdapterServerFixture Restart(string dataDirectory) => new(dataDirectory, ownsData: false);

    AdapterServerFixture(string dataDirectory, bool ownsData)
    {
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Provocapi:DataDirectory"] = DataDirectory,
            ["Provocapi:WorkerId"] = "adapter-test",
            ["Provocapi:Models:0:Id"] = "d64",
            ["Provocapi:Models:0:Path"] = TestData.Path("models", "llama-bpe-d64", "hf-f32"),
            ["Provocapi:Models:0:Threads"] = "2",
            ["Provocapi:Models:1:Id"] = "d64-gguf",
            ["Provocapi:Models:1:Path"] = TestData.Path("models", "llama-bpe-d64", "llama-bpe-d64-f32.gguf"),
            ["Provocapi:Models:1:Threads"] = "2",
            ["Provocapi:Adapters:HubEndpoint"] = Hub.Url.ToString(),
            ["Provocapi:Adapters:HubToken"] = HubToken,
            ["Provocapi:Adapters:MaxAdapterBytes"] = MaxAdapterBytes.ToString(),
            ["Provocapi:Tiers:Shared:RequestsPerMinute"] = "100000",
            ["Provocapi:Tiers:Shared:TokensPerMinute"] = "100000000",
        };
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    public async Task<HttpClient> ClientAsync(string tenant)
    {
        var client = CreateClient();
        for (var i = 0; i < 600 && !(await client.GetAsync("/ready")).IsSuccessStatusCode; i++) await Task.Delay(100);
        client.DefaultRequestHeaders.Authorization = new("Bearer", Services.GetRequiredService<KeyStore>().CreateKey(tenant, null).Key);
        return client;
    }

    public static string UniqueTenant(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    public LoadedModel Engine(string id) => Services.GetRequiredService<ModelCatalog>().Models.Single(m => m.Id == id).Engine!;

    public AdapterRegistry Registry => Services.GetRequiredService<AdapterRegistry>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Hub.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (!_ownsData) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class AdapterServerCollection : ICollectionFixture<AdapterServerFixture>
{
    public const string Name = "adapter server";
}
