using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.UsageAnalytics;

/// <summary>
/// The real server in process on a fresh data folder, serving the d64 demo model as <c>priced</c> at 1000 per million
/// prompt tokens and 3000 per million completion tokens, with its own usage settings.
/// </summary>
public sealed class UsageServer(IReadOnlyDictionary<string, string>? usage = null) : WebApplicationFactory<Program>
{
    public const decimal PromptPrice = 1000, CompletionPrice = 3000;
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("provocapi-usage-server-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Provocapi:DataDirectory"] = DataDirectory,
            ["Provocapi:Models:0:Id"] = "priced",
            ["Provocapi:Models:0:Path"] = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf"),
            ["Provocapi:Models:0:PromptPrice"] = PromptPrice.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Provocapi:Models:0:CompletionPrice"] = CompletionPrice.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Provocapi:Tiers:Shared:RequestsPerMinute"] = "0",
            ["Provocapi:Tiers:Shared:TokensPerMinute"] = "0",
            ["Provocapi:Usage:FlushMilliseconds"] = "20",
        };
        foreach (var (key, value) in usage ?? new Dictionary<string, string>()) settings[key] = value;
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    public async Task<(HttpClient Client, string TenantId)> ReadyClientAsync(string tenant)
    {
        var probe = CreateClient();
        for (var i = 0; (await probe.GetAsync("/ready")).IsSuccessStatusCode == false; i++)
        {
            if (i > 600) throw new TimeoutException("the model did not load");
            await Task.Delay(50);
        }
        var created = Services.GetRequiredService<KeyStore>().CreateKey(tenant, Tier.Shared);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", created.Key);
        return (client, created.Tenant.Id);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public void DeleteData()
    {
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
