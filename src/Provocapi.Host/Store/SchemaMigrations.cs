using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Provocapi.Host.Store;

/// <summary>
/// Numbered schema migrations: each module keeps its SQL in its own <c>Migrations/</c> folder (embedded), as
/// <c>NNNN_name.sql</c> for SQLite and <c>NNNN_name.postgres.sql</c> for PostgreSQL. They run in number order at
/// start, each once, with its record in <c>schema_migrations</c>.
/// </summary>
public static partial class SchemaMigrations
{
    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>
    /// Migrations with no Postgres twin. 0002 is the usage table: usage stays in a SQLite file or ClickHouse (issue 11),
    /// since a row per request would load the database every process shares.
    /// </summary>
    public static readonly IReadOnlySet<int> SqliteOnly = new HashSet<int> { 2 };

    /// <summary>Any constant: the lock that serializes processes migrating one Postgres database at once.</summary>
    const long PostgresMigrationLock = 0x70726f766f63;

    [GeneratedRegex(@"Migrations\.(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex SqliteResource();

    [GeneratedRegex(@"Migrations\.(\d{4})_([a-z0-9_]+)\.postgres\.sql$")]
    private static partial Regex PostgresResource();

    public static IReadOnlyList<Migration> Sqlite { get; } = Load(SqliteResource());

    public static IReadOnlyList<Migration> Postgres { get; } = Load(PostgresResource());

    public static IReadOnlyList<Migration> For(StoreDialect dialect) => dialect == StoreDialect.Postgres ? Postgres : Sqlite;

    static IReadOnlyList<Migration> Load(Regex resourceName)
    {
        var assembly = typeof(SchemaMigrations).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = resourceName.Match(resource);
            if (!match.Success) continue;
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, reader.ReadToEnd()));
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new InvalidOperationException($"two migrations share number {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}");
        return [.. migrations.OrderBy(m => m.Version)];
    }

    public static void Apply(SqliteConnection connection)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
        foreach (var migration in Sqlite)
        {
            // BEGIN IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
            using var transaction = connection.BeginTransaction(deferred: false);
            ApplyOnce(connection, transaction, migration);
            transaction.Commit();
        }
    }

    /// <summary>All in one transaction under an advisory lock: a process starting beside another waits, then finds the work done.</summary>
    public static void Apply(NpgsqlConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        connection.Execute("SELECT pg_advisory_xact_lock(@PostgresMigrationLock)", new { PostgresMigrationLock }, transaction);
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: transaction);
        foreach (var migration in Postgres) ApplyOnce(connection, transaction, migration);
        transaction.Commit();
    }

    static void ApplyOnce(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, Migration migration)
    {
        var applied = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { migration.Version }, transaction);
        if (applied != 0) return;
        connection.Execute(migration.Sql, transaction: transaction);
        connection.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
            new { Version = (long)migration.Version, migration.Name, At = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }, transaction);
    }
}
