using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Provocapi.Host.Server;

namespace Provocapi.Host.Store;

/// <summary>
/// The embedded store: one SQLite file in the data folder, in WAL mode so the server and the <c>keys</c> command
/// can use it at once.
/// </summary>
public sealed class SqliteDatabase : Database
{
    public const string FileName = "provocapi.db";

    public string Path { get; }
    readonly string _connectionString;

    public SqliteDatabase(string dataDirectory)
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

    public SqliteDatabase(IOptions<ServerOptions> options) : this(options.Value.DataDirectory) { }

    public override StoreDialect Dialect => StoreDialect.Sqlite;

    public override string InsertOrder => "rowid";

    public override string LockSkippingLocked(string alias) => "";

    public override string IsAnyOf(string column, string parameter) => $"{column} IN {parameter}";

    public override SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // Concurrent writers (server, CLI) wait for each other instead of failing with SQLITE_BUSY.
        pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>BEGIN IMMEDIATE: the write lock is taken first, so a read inside the transaction sees what the write will change.</summary>
    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19 } e && e.Message.Contains("UNIQUE", StringComparison.Ordinal);

    /// <summary>Creates the file if needed, switches it to WAL and applies the migrations it lacks.</summary>
    public override SqliteDatabase Migrate()
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
