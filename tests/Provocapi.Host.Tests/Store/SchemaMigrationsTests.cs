using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Tests.Store;

public sealed class SchemaMigrationsTests : IDisposable
{
    readonly string _data = Directory.CreateTempSubdirectory("provocapi-store-").FullName;

    [Fact]
    public void Migrations_are_numbered_uniquely_and_each_applies_once()
    {
        Assert.NotEmpty(SchemaMigrations.All);
        Assert.Equal(SchemaMigrations.All.Select(m => m.Version).Order(), SchemaMigrations.All.Select(m => m.Version));
        var store = new SqliteStore(_data).Migrate().Migrate();
        using var connection = store.Open();
        Assert.Equal(SchemaMigrations.All.Count, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'api_keys'"));
    }

    [Fact]
    public async Task Processes_starting_at_once_migrate_safely()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => new SqliteStore(_data)).ToList();
        await Task.WhenAll(stores.Select(s => Task.Run(() => s.Migrate())));
        using var connection = stores[0].Open();
        Assert.Equal(SchemaMigrations.All.Count, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
