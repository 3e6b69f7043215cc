using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Server;

namespace Provocapi.Host.Cli;

/// <summary>
/// <c>provocapi bench-gateway</c>: what routing through a gateway costs. Starts a worker and a gateway in this process
/// on loopback, sharing a fresh store (a SQLite file, or <c>--postgres</c>), then sends the same small request to the
/// worker directly (with the cluster secret, as a gateway would) and through the gateway: one at a time, alternating,
/// for the added latency at p50 and p99; then from <c>-c</c> concurrent clients for requests per second. Two request
/// kinds: a one-token completion (the engine runs), and one the worker refuses at once (only routing and relaying).
/// <c>--rate-limited</c> gives the tenant limits too high to bite, so each request still pays for its bucket checks.
/// </summary>
public static class GatewayBenchCommand
{
    const string Secret = "bench-gateway-secret-0123456789";

    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var path = options.String("--model", "-m") ?? DemoModel.Options().Path;
        var requests = options.Int(2000, "-n", "--requests");
        var clients = options.Int(16, "-c", "--clients");
        var seconds = options.Int(10, "-d", "--seconds");
        var postgres = options.String("--postgres");
        // Limits too high to bite, so every request still takes from its tenant's buckets (in the store, on Postgres).
        var (requestsPerMinute, tokensPerMinute) = options.Flag("--rate-limited") ? ("1000000000", "1000000000000") : ("0", "0");
        options.RejectUnknown();
        if (requests < 10 || clients < 1 || seconds < 1) throw new CommandLineException("-n must be at least 10, -c and -d at least 1");

        var data = Directory.CreateTempSubdirectory("provocapi-bench-gateway-").FullName;
        string[] Common(string node) =>
        [
            "--data", Path.Combine(data, postgres == null ? "" : node), $"--Provocapi:WorkerId={node}", $"--Provocapi:Cluster:Secret={Secret}",
            $"--Provocapi:Tiers:Dedicated:RequestsPerMinute={requestsPerMinute}", $"--Provocapi:Tiers:Dedicated:TokensPerMinute={tokensPerMinute}", "--Logging:LogLevel:Default=Warning",
            .. postgres == null ? Array.Empty<string>() : [$"--Provocapi:Store:Postgres={postgres}"],
        ];
        var workerUrl = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var gatewayUrl = $"http://127.0.0.1:{LoopbackPort.Free()}";
        await using var worker = ProvocapiServer.Build(ServeArguments.Parse(
            [.. Common("worker"), "--role", "worker", "--urls", workerUrl, "--Provocapi:Models:0:Id=bench", $"--Provocapi:Models:0:Path={Path.GetFullPath(path)}"]));
        await using var gateway = ProvocapiServer.Build(ServeArguments.Parse([.. Common("gateway"), "--role", "gateway", "--urls", gatewayUrl]));
        await worker.StartAsync();
        await gateway.StartAsync();

        var created = gateway.Services.GetRequiredService<KeyStore>().CreateKey("bench", Tier.Dedicated);
        var tiers = gateway.Services.GetRequiredService<ITierDirectory>();
        var caller = new Caller(created.Tenant.Id, created.Tenant.Name, Tier.Dedicated, "key_bench", tiers.LimitsFor(Tier.Dedicated));
        using var viaGateway = Client(gatewayUrl, created.Key, null);
        using var direct = Client(workerUrl, Secret, CallerHeader.Write(caller));
        while (true)
        {
            var ready = await viaGateway.GetFromJsonAsync<JsonElement>("/ready");
            if (ready.GetProperty("workers").GetInt32() == 1) break;
            await Task.Delay(50);
        }
        Console.Error.WriteLine($"{path}: worker and gateway in one process on {Environment.ProcessorCount} cores, store {(postgres == null ? "SQLite" : "PostgreSQL")}, rate limits {(requestsPerMinute == "0" ? "off" : "on")}");

        foreach (var (kind, body, status) in new[]
                 {
                     ("one-token completion", """{"model":"bench","prompt":"Hello","max_tokens":1,"temperature":0}""", HttpStatusCode.OK),
                     ("refused by the worker (400)", """{"model":"bench","prompt":"Hello","max_tokens":-1}""", HttpStatusCode.BadRequest),
                 })
        {
            // Warm-up long enough for tiered compilation to settle: in the first seconds of a process, requests that
            // hit methods being recompiled take 10-60 ms, which would be read as the gateway's tail latency.
            await ThroughputAsync(direct, body, status, clients, 5);
            await ThroughputAsync(viaGateway, body, status, clients, 5);
            await LatenciesAsync(direct, viaGateway, body, status, 200);
            var (directMs, gatewayMs) = await LatenciesAsync(direct, viaGateway, body, status, requests);
            var directRate = await ThroughputAsync(direct, body, status, clients, seconds);
            var gatewayRate = await ThroughputAsync(viaGateway, body, status, clients, seconds);
            Console.WriteLine($"{kind}, {requests} requests one at a time (ms):");
            Console.WriteLine($"  direct to the worker: p50 {Percentile(directMs, 0.50):F3}  p99 {Percentile(directMs, 0.99):F3}");
            Console.WriteLine($"  through the gateway:  p50 {Percentile(gatewayMs, 0.50):F3}  p99 {Percentile(gatewayMs, 0.99):F3}");
            Console.WriteLine($"  added by the gateway: p50 {Percentile(gatewayMs, 0.50) - Percentile(directMs, 0.50):F3}  p99 {Percentile(gatewayMs, 0.99) - Percentile(directMs, 0.99):F3}");
            Console.WriteLine($"{kind}, {clients} concurrent clients for {seconds} s: direct {directRate:F0} requests/s, through the gateway {gatewayRate:F0} requests/s ({gatewayRate / directRate:F2}x)");
        }
        await gateway.StopAsync();
        await worker.StopAsync();
        Directory.Delete(data, recursive: true);
        return 0;
    }

    static HttpClient Client(string url, string bearer, string? caller)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (caller != null) http.DefaultRequestHeaders.Add(CallerHeader.Name, caller);
        return http;
    }

    /// <summary>One request at a time, alternating direct and routed so drift in the machine's speed hits both alike.</summary>
    static async Task<(List<double> Direct, List<double> Gateway)> LatenciesAsync(HttpClient direct, HttpClient gateway, string body, HttpStatusCode status, int count)
    {
        List<double> directMs = new(count), gatewayMs = new(count);
        for (var i = 0; i < count; i++)
        {
            directMs.Add(await TimeAsync(direct, body, status));
            gatewayMs.Add(await TimeAsync(gateway, body, status));
        }
        return (directMs, gatewayMs);
    }

    static async Task<double> TimeAsync(HttpClient http, string body, HttpStatusCode status)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (response.StatusCode != status) throw new InvalidOperationException($"expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return elapsed;
    }

    static async Task<double> ThroughputAsync(HttpClient http, string body, HttpStatusCode status, int clients, int seconds)
    {
        var end = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        long done = 0;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                await TimeAsync(http, body, status);
                Interlocked.Increment(ref done);
            }
        }));
        return done / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }
}
