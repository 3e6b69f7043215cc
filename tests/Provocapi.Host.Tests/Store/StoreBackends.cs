using Microsoft.Data.Sqlite;
using Npgsql;
using Provocapi.Host.Store;

namespace Provocapi.Host.Tests.Store;

/// <summary>
/// The stores under test: SQLite on a fresh file always, and PostgreSQL when <c>PROVOCAPI_TEST_POSTGRES</c> holds a
/// connection string (<c>.ci/run</c> starts a throwaway server and sets it), each test in a schema of its own.
/// </summary>
public static class StoreBackends
{
    public const string ConnectionVariable = "PROVOCAPI_TEST_POSTGRES";

    public static string? PostgresConnection => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } connection ? connection : null;

    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string> { "sqlite" };
            if (PostgresConnection != null) names.Add("postgres");
            return names;
        }
    }

    public static TestStore Fresh(string name) => name switch
    {
        "sqlite" => TestStore.Sqlite(),
        "postgres" => TestStore.Postgres(PostgresConnection ?? throw new InvalidOperationException($"{ConnectionVariable} is not set")),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}

/// <summary>
/// One test's empty store: a SQLite file in a temp folder, or a Postgres schema made for the test and dropped after.
/// <see cref="Connect"/> opens another <see cref="Database"/> on it, as another process would.
/// </summary>
public sealed class TestStore : IDisposable
{
    readonly Func<Database> _connect;
    readonly Action _drop;
    readonly List<Database> _opened = [];

    TestStore(Func<Database> connect, Action drop, string? postgresConnection = null)
    {
        _connect = connect;
        _drop = drop;
        PostgresConnection = postgresConnection;
    }

    /// <summary>On Postgres, the connection string of this test's schema (what a server's <c>Provocapi:Store:Postgres</c> would be).</summary>
    public string? PostgresConnection { get; }

    public static TestStore Sqlite()
    {
        var folder = Directory.CreateTempSubdirectory("provocapi-store-").FullName;
        return new TestStore(() => new SqliteDatabase(folder), () =>
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        });
    }

    public static TestStore Postgres(string connectionString)
    {
        var schema = "test_" + Guid.NewGuid().ToString("N");
        Execute(connectionString, $"CREATE SCHEMA {schema}");
        var scoped = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
        return new TestStore(() => new PostgresDatabase(scoped), () => Execute(connectionString, $"DROP SCHEMA {schema} CASCADE"), scoped);
    }

    /// <summary>A new, not yet migrated, instance over this store.</summary>
    public Database Connect()
    {
        var database = _connect();
        lock (_opened) _opened.Add(database);
        return database;
    }

    public Database Migrated() => Connect().Migrate();

    static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var database in _opened) (database as IDisposable)?.Dispose();
        _drop();
    }
}

/// <summary>A fact that runs only where a PostgreSQL server is configured for the tests.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (StoreBackends.PostgresConnection == null) Skip = $"{StoreBackends.ConnectionVariable} is not set (.ci/run starts PostgreSQL and sets it)";
    }
}
