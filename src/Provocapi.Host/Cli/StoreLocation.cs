using Provocapi.Host.Store;

namespace Provocapi.Host.Cli;

/// <summary>Where a verb finds the store: <c>--postgres CONNECTION</c> (serve's <c>Provocapi:Store:Postgres</c>), else the SQLite file in <c>--data</c>.</summary>
public sealed record StoreLocation(string DataDirectory, string? Postgres)
{
    public static StoreLocation From(CommandLineOptions options) => new(options.String("--data") ?? "data", options.String("--postgres"));

    public Database OpenMigrated() => Postgres is { Length: > 0 } connection
        ? new PostgresDatabase(connection).Migrate()
        : new SqliteDatabase(DataDirectory).Migrate();

    public override string ToString() => Postgres is { Length: > 0 } ? "the Postgres store" : Path.GetFullPath(Path.Combine(DataDirectory, SqliteDatabase.FileName));
}
