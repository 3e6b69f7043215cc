using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Provocapi.Host.Server;

namespace Provocapi.Host.Store;

/// <summary>
/// The embedded store: one SQLite file in the data folder, in WAL mode so the server and the <c>keys</c> command
/// can use it at once. Each caller opens a (pooled) connection for its unit of work.
/// </summary>
public sealed class SqliteStore
{
    public const string FileName = "provocapi.db";

    public string Path { get; }
    readonly string _connectionString;

    public SqliteStore(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, FileName));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public SqliteStore(IOptions<ServerOptions> options) : this(options.Value.DataDirectory) { }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // Concurrent writers (server, CLI) wait for each other instead of failing with SQLITE_BUSY.
        pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Creates the file if needed, switches it to WAL and applies the migrations it lacks.</summary>
    public SqliteStore Migrate()
    {
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        SchemaMigrations.Apply(connection);
        return this;
    }
}
