using BenchmarkDotNet.Attributes;
using Provocapi.Host.Modules.Keys.RateLimits;
using Provocapi.Benchmarks.Store;

namespace Provocapi.Benchmarks.Keys;

/// <summary>
/// What one per-minute check costs a request, by where the buckets live: this process's memory (SQLite store), or
/// the store's <c>rate_buckets</c> table (one upsert statement per take) on SQLite and on PostgreSQL. Each take
/// fits (the bucket never empties), as for a tenant under its limit. PostgreSQL runs when
/// <c>PROVOCAPI_BENCH_POSTGRES</c> holds a connection string; the benchmark works in a schema of its own.
/// </summary>
public class RateBucketBenchmarks
{
    const long Capacity = long.MaxValue / 4;
    public static IEnumerable<string> Backends => BenchmarkDatabase.Postgres == null ? ["memory", "sqlite-store"] : ["memory", "sqlite-store", "postgres-store"];

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "";

    IRateBuckets _buckets = null!;
    BenchmarkDatabase? _store;

    [GlobalSetup]
    public void Setup()
    {
        switch (Backend)
        {
            case "memory":
                _buckets = new MemoryRateBuckets();
                break;
            case "sqlite-store":
                _store = BenchmarkDatabase.Sqlite("buckets");
                _buckets = new StoreRateBuckets(_store.Database, TimeProvider.System);
                break;
            default:
                _store = BenchmarkDatabase.PostgresSchema();
                _buckets = new StoreRateBuckets(_store.Database, TimeProvider.System);
                break;
        }
    }

    [Benchmark]
    public bool Take() => _buckets.TryTake("ten_bench", "requests", Capacity, 1).Taken;

    [GlobalCleanup]
    public void Cleanup() => _store?.Dispose();
}
