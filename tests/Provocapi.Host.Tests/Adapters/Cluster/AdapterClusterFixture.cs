using System.Text.RegularExpressions;
using Provocapi.Host.Tests.Cluster;
using Provocapi.Host.Tests.Server;

namespace Provocapi.Host.Tests.Adapters.Cluster;

/// <summary>
/// A real cluster (<see cref="ClusterNodes"/>): a gateway that downloads adapters from a <see cref="LoopbackHub"/>,
/// and two workers serving the demo model (<c>w1</c>, <c>w2</c>) that check their adapters against the store every second.
/// </summary>
public sealed class AdapterClusterFixture : IAsyncLifetime
{
    public static readonly string[] WorkerIds = ["w1", "w2"];
    public static readonly string[] WorkerArgs = ["--Provocapi:Adapters:CacheCheckInterval=00:00:01"];

    public LoopbackHub Hub { get; } = LoopbackHub.Start();
    public ClusterNodes Nodes { get; private set; } = null!;

    public ServerProcess Gateway => Nodes.Gateway;

    public async Task InitializeAsync()
    {
        Nodes = await StartAsync(Hub.Url);
        foreach (var id in WorkerIds) await Nodes.AddWorkerAsync(id, WorkerArgs);
    }

    public static Task<ClusterNodes> StartAsync(Uri hub) => ClusterNodes.StartAsync($"--Provocapi:Adapters:HubEndpoint={hub}");

    public async Task<HttpClient> ClientAsync(string tenant) => Nodes.Client(await Nodes.CreateKeyAsync(tenant));

    /// <summary>The folders worker <paramref name="worker"/> fetched adapter <paramref name="adapterId"/> into, as it logged them (one per fetch).</summary>
    public static IReadOnlyList<string> Fetches(ServerProcess worker, string adapterId) =>
        Regex.Matches(worker.Output, $@"adapter {adapterId} \([^)]*\) fetched from \S+ into (\S+)").Select(m => m.Groups[1].Value).ToList();

    public async Task DisposeAsync()
    {
        if (Nodes != null) await Nodes.DisposeAsync();
        await Hub.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AdapterClusterCollection : ICollectionFixture<AdapterClusterFixture>
{
    public const string Name = "adapter cluster";
}
