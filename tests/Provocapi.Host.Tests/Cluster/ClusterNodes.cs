using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Provocapi.Host.Tests.Cli;
using Provocapi.Host.Tests.Server;
using Provocapi.Host.Tests.Store;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Cluster;

/// <summary>
/// A real cluster on loopback: one gateway and any number of workers, each its own <c>provocapi</c> process with its
/// own data folder, sharing one store (a fresh PostgreSQL schema when <c>PROVOCAPI_TEST_POSTGRES</c> is set, as in CI;
/// otherwise one SQLite file, which processes on one machine can share), with fast heartbeats so a dead worker is
/// noticed within five seconds. Killed on dispose.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    public const string Secret = "test-cluster-secret-0123456789";
    /// <summary>Twenty heartbeats: generous, so a machine busy with other tests never makes a live worker look dead.</summary>
    public static readonly TimeSpan WorkerTimeout = TimeSpan.FromSeconds(5);

    readonly string _data = Directory.CreateTempSubdirectory("provocapi-cluster-").FullName;
    readonly Dictionary<string, ServerProcess> _workers = [];
    readonly TestStore? _postgres = StoreBackends.PostgresConnection != null ? StoreBackends.Fresh("postgres") : null;

    /// <summary>Where the nodes keep their state: the shared store's settings.</summary>
    string[] StoreArgs(string nodeId) => _postgres?.PostgresConnection is { } postgres
        ? ["--data", Path.Combine(_data, nodeId), $"--Provocapi:Store:Postgres={postgres}"]
        : ["--data", _data];

    /// <summary>The <c>keys</c> command's flags for the same store.</summary>
    string[] CliStoreArgs => _postgres?.PostgresConnection is { } postgres ? ["--postgres", postgres, "--data", Path.Combine(_data, "cli")] : ["--data", _data];

    /// <summary>A worker's settings for the "slow" model: the tiny synthetic shape, slow enough on 2 cores to kill a node mid-request.</summary>
    public static readonly string[] SlowModel =
    [
        "--Provocapi:Models:0:Id=slow",
        "--Provocapi:Models:0:Path=synthetic:tiny:Q8_0",
        $"--Provocapi:Models:0:Tokenizer={TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf")}",
    ];

    public ServerProcess Gateway { get; private set; } = null!;
    public IReadOnlyDictionary<string, ServerProcess> Workers => _workers;

    /// <summary>Settings every node shares: the store, the secret, the heartbeat.</summary>
    string[] Common(string nodeId) =>
    [
        .. StoreArgs(nodeId),
        $"--Provocapi:WorkerId={nodeId}",
        $"--Provocapi:Cluster:Secret={Secret}",
        "--Provocapi:Cluster:HeartbeatInterval=00:00:00.250",
        $"--Provocapi:Cluster:WorkerTimeout={WorkerTimeout:c}",
    ];

    public static async Task<ClusterNodes> StartAsync(params string[] gatewayArgs)
    {
        var cluster = new ClusterNodes();
        try
        {
            cluster.Gateway = await ServerProcess.StartAsync([.. cluster.Common("gateway"), "--role", "gateway", .. gatewayArgs]);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts worker <paramref name="id"/> (ready once its models load) and waits until the gateway routes to it.</summary>
    public async Task<ServerProcess> AddWorkerAsync(string id, params string[] args)
    {
        var worker = await ServerProcess.StartAsync([.. Common(id), "--role", "worker", $"--Provocapi:Cluster:GatewayUrl={Gateway.BaseAddress}", .. args]);
        _workers[id] = worker;
        await WaitForWorkersAsync(_workers.Values.Count(w => !w.HasExited));
        return worker;
    }

    /// <summary>Waits until the gateway counts <paramref name="count"/> usable workers.</summary>
    public async Task WaitForWorkersAsync(int count)
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        for (var i = 0; i < 200; i++)
        {
            var ready = await http.GetFromJsonAsync<JsonElement>("/ready");
            if (ready.GetProperty("workers").GetInt32() == count) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the gateway never counted {count} workers");
    }

    /// <summary>A new tenant's API key, made with the CLI against the shared store.</summary>
    public async Task<string> CreateKeyAsync(string tenant)
    {
        var outcome = await ProvocapiProcess.RunAsync(["keys", "create", "--tenant", tenant, .. CliStoreArgs]);
        Assert.Equal(0, outcome.ExitCode);
        return outcome.Stdout.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>The sum over its labels of a metric <paramref name="node"/> serves at <c>/metrics</c>, over the samples
    /// whose labels hold <paramref name="label"/> when given; 0 when it has no such samples.</summary>
    public static async Task<double> MetricAsync(ServerProcess node, string name, string? label = null)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(l => label == null || l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers.Values) await worker.DisposeAsync();
        if (Gateway != null) await Gateway.DisposeAsync();
        _postgres?.Dispose();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
