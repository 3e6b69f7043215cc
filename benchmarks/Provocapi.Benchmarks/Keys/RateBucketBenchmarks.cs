using BenchmarkDotNet.Attributes;
using Npgsql;
using Provocapi.Host.Modules.Keys.RateLimits;
using Provocapi.Host.Store;

namespace Provocapi.Benchmarks.Keys;

/// <summary>
/// What one per-minute check costs a request, by where the buckets live: this process's memory (SQLite store), or
/// the store's <c>rate_buckets</c> table (one write transaction per take) on SQLite and on PostgreSQL. Each take
/// fits (the bucket never empties), as for a tenant under its limit. PostgreSQL runs when
/// <c>PROVOCAPI_BENCH_POSTGRES</c> holds a connection string; the benchmark works in a schema of its own.
/// </summary>
public class RateBucketBenchmarks
{
    const long Capacity = long.MaxValue / 4;
    static string? Postgres => Environment.GetEnvironmentVariable("PROVOCAPI_BENCH_POSTGRES") is { Length: > 0 } connection ? connection : null;

    public static IEnumerable<string> Backends => Postgres == null ? ["memory", "sqlite-store"] : ["memory", "sqlite-store", "postgres-store"];

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "";

    IRateBuckets _buckets = null!;
    Database? _database;
    string _data = "", _schema = "";

    [GlobalSetup]
    public void Setup()
    {
        switch (Backend)
        {
            case "memory":
                _buckets = new MemoryRateBuckets();
                break;
            case "sqlite-store":
                _data = Directory.CreateTempSubdirectory("provocapi-bench-buckets-").FullName;
                _database = new SqliteDatabase(_data).Migrate();
                _buckets = new StoreRateBuckets(_database, TimeProvider.System);
                break;
            default:
                _schema = "bench_" + Guid.NewGuid().ToString("N");
                Execute($"CREATE SCHEMA {_schema}");
                _database = new PostgresDatabase(new NpgsqlConnectionStringBuilder(Postgres) { SearchPath = _schema }.ConnectionString).Migrate();
                _buckets = new StoreRateBuckets(_database, TimeProvider.System);
                break;
        }
    }

    [Benchmark]
    public bool Take() => _buckets.TryTake("ten_bench", "requests", Capacity, 1).Taken;

    [GlobalCleanup]
    public void Cleanup()
    {
        (_database as IDisposable)?.Dispose();
        if (_schema.Length > 0) Execute($"DROP SCHEMA {_schema} CASCADE");
        if (_data.Length > 0)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_data, recursive: true);
        }
    }

    static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Postgres);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
