using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Store;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Store;

/// <summary>Two real servers (separate data folders) on one Postgres store: keys and per-minute limits are shared.</summary>
public sealed class SharedStoreServerTests
{
    [PostgresFact]
    public async Task Two_servers_on_one_postgres_store_accept_the_same_keys_and_share_one_request_limit()
    {
        using var store = StoreBackends.Fresh("postgres");
        var connection = store.PostgresConnection!;
        await using var first = new SharedStoreServer(connection);
        await using var second = new SharedStoreServer(connection);
        var key = new KeyStore(first.Services.GetRequiredService<Database>()).CreateKey("acme", Tier.Reserved).Key;
        Assert.IsType<PostgresDatabase>(second.Services.GetRequiredService<Database>());

        // Reserved tier: 3 requests a minute, whichever server they reach.
        var remaining = new List<string>();
        foreach (var server in new[] { first, second, first })
        {
            var response = await server.Get("/v1/models", key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("3", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
            remaining.Add(response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        }
        Assert.Equal(["2", "1", "0"], remaining);

        var refused = await second.Get("/v1/models", key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single()), 1, 20);
        using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("rate_limit_exceeded", error.RootElement.GetProperty("error").GetProperty("code").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await first.Get("/v1/models", "pk-not-a-key")).StatusCode);
    }

    sealed class SharedStoreServer(string postgres) : WebApplicationFactory<Program>
    {
        readonly string _data = Directory.CreateTempSubdirectory("provocapi-shared-store-").FullName;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Provocapi:DataDirectory", _data);
            builder.UseSetting("Provocapi:Store:Postgres", postgres);
            builder.UseSetting("Provocapi:Models:0:Id", "demo");
            builder.UseSetting("Provocapi:Models:0:Path", TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf"));
            builder.UseSetting("Provocapi:Tiers:Reserved:RequestsPerMinute", "3");
        }

        public Task<HttpResponseMessage> Get(string path, string key)
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            return client.GetAsync(path);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        }
    }
}
