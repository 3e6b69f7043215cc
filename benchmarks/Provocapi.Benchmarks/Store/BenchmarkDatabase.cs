using Npgsql;
using Provocapi.Host.Store;

namespace Provocapi.Benchmarks.Store;

/// <summary>
/// A fresh, migrated store for one benchmark: a SQLite file in a temp folder, or (when <c>PROVOCAPI_BENCH_POSTGRES</c>
/// holds a connection string) a PostgreSQL schema of its own; both are removed on dispose.
/// </summary>
public sealed class BenchmarkDatabase : IDisposable
{
    public static string? Postgres => Environment.GetEnvironmentVariable("PROVOCAPI_BENCH_POSTGRES") is { Length: > 0 } connection ? connection : null;

    readonly string? _folder;
    readonly string? _schema;

    public Database Database { get; }

    BenchmarkDatabase(Database database, string? folder, string? schema)
    {
        Database = database;
        _folder = folder;
        _schema = schema;
    }

    public static BenchmarkDatabase Sqlite(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"provocapi-bench-{name}-").FullName;
        return new BenchmarkDatabase(new SqliteDatabase(folder).Migrate(), folder, null);
    }

    public static BenchmarkDatabase PostgresSchema()
    {
        var connection = Postgres ?? throw new InvalidOperationException("PROVOCAPI_BENCH_POSTGRES is not set");
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        Execute(connection, $"CREATE SCHEMA {schema}");
        return new BenchmarkDatabase(new PostgresDatabase(new NpgsqlConnectionStringBuilder(connection) { SearchPath = schema }.ConnectionString).Migrate(), null, schema);
    }

    public void Dispose()
    {
        (Database as IDisposable)?.Dispose();
        if (_schema != null) Execute(Postgres!, $"DROP SCHEMA {_schema} CASCADE");
        if (_folder != null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }

    static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
