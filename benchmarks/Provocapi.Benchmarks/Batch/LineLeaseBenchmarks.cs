using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.Batch;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Benchmarks.Store;
using Provocapi.Host.Server;

namespace Provocapi.Benchmarks.Batch;

/// <summary>
/// What the store costs a batch line: a job of <see cref="Lines"/> lines worked off by <see cref="Claimers"/> runners
/// at once, each claiming 4 lines with a lease, renewing them once, and recording each result (what a runner does
/// per line, without running it). Several claimers show whether they wait for each other. PostgreSQL runs when
/// <c>PROVOCAPI_BENCH_POSTGRES</c> holds a connection string; the benchmark works in a schema of its own.
/// </summary>
public class LineLeaseBenchmarks
{
    public const int Lines = 400;
    public static IEnumerable<string> Backends => BenchmarkDatabase.Postgres == null ? ["sqlite"] : ["sqlite", "postgres"];

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "";

    [Params(1, 4)]
    public int Claimers { get; set; }

    BenchmarkDatabase _store = null!;
    List<BatchStore> _runners = null!;
    int _job;

    [GlobalSetup]
    public void Setup()
    {
        _store = Backend == "sqlite" ? BenchmarkDatabase.Sqlite("leases") : BenchmarkDatabase.PostgresSchema();
        // One store per runner, each a process instance of its own.
        _runners = Enumerable.Range(0, Claimers).Select(_ => new BatchStore(_store.Database, new NodeIdentity(Options.Create(new ServerOptions())))).ToList();
    }

    [IterationSetup]
    public void NewJob()
    {
        var id = $"batch_{++_job}";
        _runners[0].Insert(new BatchJob
        {
            Id = id, TenantId = "ten_bench", TenantName = "bench", Tier = "dedicated", KeyId = "key_bench", Endpoint = "/v1/chat/completions",
            Status = BatchStatus.Validating, InputPath = "/dev/null", CreatedAt = 0, ExpiresAt = long.MaxValue / 2,
        });
        _runners[0].Start(id, Enumerable.Range(0, Lines).Select(i => new BatchLine(i, $"c{i}", "/v1/chat/completions", "{\"model\":\"m\"}", "m")).ToList(), 0);
    }

    [Benchmark]
    public int WorkOffAJob()
    {
        var result = new LineResult(200, "req_bench", "{\"choices\":[]}", null, null);
        var done = 0;
        Parallel.ForEach(_runners, new ParallelOptions { MaxDegreeOfParallelism = Claimers }, runner =>
        {
            while (runner.Claim(4, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) is { Count: > 0 } lines)
            {
                runner.Renew(lines, DateTimeOffset.UtcNow.AddMinutes(1));
                foreach (var line in lines)
                    if (runner.Finish(line, result, 0)) Interlocked.Increment(ref done);
            }
        });
        return done == Lines ? done : throw new InvalidOperationException($"{done} of {Lines} lines recorded");
    }

    [IterationCleanup]
    public void CompleteJob() => _runners[0].CompleteFinished(0);

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();
}
