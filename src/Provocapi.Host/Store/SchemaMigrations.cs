using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Provocapi.Host.Store;

/// <summary>
/// Numbered schema migrations: each module keeps its SQL in its own <c>Migrations/NNNN_name.sql</c> (embedded),
/// and they run in number order at start, each once, in a transaction with its record in <c>schema_migrations</c>.
/// </summary>
public static partial class SchemaMigrations
{
    public sealed record Migration(int Version, string Name, string Sql);

    [GeneratedRegex(@"Migrations\.(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();

    public static IReadOnlyList<Migration> All { get; } = Load();

    static IReadOnlyList<Migration> Load()
    {
        var assembly = typeof(SchemaMigrations).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
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
        foreach (var migration in All)
        {
            // BEGIN IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
            using var transaction = connection.BeginTransaction(deferred: false);
            var applied = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { migration.Version }, transaction);
            if (applied == 0)
            {
                connection.Execute(migration.Sql, transaction: transaction);
                connection.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                    new { migration.Version, migration.Name, At = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }, transaction);
            }
            transaction.Commit();
        }
    }
}
