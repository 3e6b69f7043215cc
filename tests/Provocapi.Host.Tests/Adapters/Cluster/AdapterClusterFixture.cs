using System.Net.Http.Headers;
using System.Text.Json;
using Provocapi.Host.Tests.Cli;
using Provocapi.Host.Tests.Server;

namespace Provocapi.Host.Tests.Adapters.Cluster;

/// <summary>
/// A real cluster on loopback: one gateway and two workers (<c>w1</c>, <c>w2</c>), separate <c>provocapi</c>
/// processes sharing one data folder (its SQLite store), each worker serving the demo model. Workers check their
/// adapters against the store every second; the gateway downloads from a <see cref="LoopbackHub"/>.
/// </summary>
public sealed class AdapterClusterFixture : IAsyncLifetime
{
    public const string Secret = "adapter-cluster-test-secret";
    public static readonly string[] WorkerIds = ["w1", "w2"];

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("provocapi-adapter-cluster-").FullName;
    public LoopbackHub Hub { get; } = LoopbackHub.Start();
    public ServerProcess Gateway { get; private set; } = null!;
    public Dictionary<string, ServerProcess> Workers { get; } = [];

    public async Task InitializeAsync()
    {
        string[] common = ["--data", DataDirectory, $"--Provocapi:Cluster:Secret={Secret}", "--Provocapi:Cluster:HeartbeatInterval=00:00:00.5",
            "--Provocapi:Cluster:WorkerTimeout=00:00:05"];
        Gateway = await ServerProcess.StartAsync(["--role", "gateway", .. common, $"--Provocapi:Adapters:HubEndpoint={Hub.Url}"]);
        foreach (var id in WorkerIds)
            Workers[id] = await ServerProcess.StartAsync(["--role", "worker", .. common, $"--Provocapi:WorkerId={id}",
                $"--Provocapi:Cluster:GatewayUrl={Gateway.BaseAddress}", "--Provocapi:Adapters:CacheCheckInterval=00:00:01"]);
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        for (var i = 0; i < 200; i++)
        {
            var ready = JsonDocument.Parse(await http.GetStringAsync("/ready")).RootElement;
            if (ready.GetProperty("workers").GetInt32() == WorkerIds.Length) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the gateway did not see both workers: " + Gateway.Output);
    }

    /// <summary>A client of the gateway with a new dedicated-tier key of <paramref name="tenant"/> (no per-minute limits in the way).</summary>
    public async Task<HttpClient> ClientAsync(string tenant)
    {
        var created = await ProvocapiProcess.RunAsync(["keys", "create", "--tenant", tenant, "--tier", "dedicated", "--data", DataDirectory]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        var client = new HttpClient { BaseAddress = Gateway.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Stdout.TrimEnd().Split('\n')[^1]);
        return client;
    }

    /// <summary>Where worker <paramref name="workerId"/> keeps the adapter it fetched.</summary>
    public string CacheFolder(string workerId, string adapterId) => Path.Combine(DataDirectory, "adapter-cache", $"worker-{workerId}", adapterId);

    public async Task DisposeAsync()
    {
        foreach (var worker in Workers.Values) await worker.DisposeAsync();
        if (Gateway != null) await Gateway.DisposeAsync();
        await Hub.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class AdapterClusterCollection : ICollectionFixture<AdapterClusterFixture>
{
    public const string Name = "adapter cluster";
}
