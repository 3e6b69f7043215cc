using System.Text;
using Dapper;
using Provocapi.Host.Modules.Adapters;
using Provocapi.Host.Modules.Adapters.Gateway;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Store;
using Provocapi.Host.Tests.Store;

namespace Provocapi.Host.Tests.Adapters;

/// <summary>What gateways and workers share about adapters, on a real store (SQLite, and PostgreSQL where configured).</summary>
public sealed class SharedAdapterStoreTests
{
    static AdapterStore.StoredAdapter Adapter(string tenantId, string name, string status) =>
        new(AdapterStore.NewId(), tenantId, name, "demo", "peft", null, null, status, null, 4, 8, "q_proj", 1000, 1_700_000_000);

    static async Task<byte[]?> ReadAsync(AdapterFileStore files, string adapterId, string name)
    {
        if (files.Length(adapterId, name) is not { } length) return null;
        using var copy = new MemoryStream();
        await files.CopyToAsync(adapterId, name, copy, CancellationToken.None);
        Assert.Equal(length, copy.Length);
        return copy.ToArray();
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public async Task Files_come_back_byte_for_byte_by_name_and_go_with_a_delete(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        // Parts of 100,000 bytes: the weights take three and a bit, the exact file exactly two, the empty one a single empty part.
        var files = new AdapterFileStore(store.Migrated(), partBytes: 100_000);
        var folder = Directory.CreateTempSubdirectory("provocapi-adapter-files-").FullName;
        var weights = new byte[300_007];
        new Random(5).NextBytes(weights);
        var exact = new byte[200_000];
        new Random(6).NextBytes(exact);
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), weights);
        File.WriteAllBytes(Path.Combine(folder, "adapter.gguf"), exact);
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), """{"r": 4}""");
        File.WriteAllBytes(Path.Combine(folder, "empty"), []);

        files.Save("adp_1", folder);
        files.Save("adp_2", folder);
        // Another process sees them as written, whatever part size it was given.
        var reader = new AdapterFileStore(store.Connect());
        Assert.Equal(["adapter.gguf", "adapter_config.json", "adapter_model.safetensors", "empty"], reader.Names("adp_1"));
        Assert.Equal(weights, await ReadAsync(reader, "adp_1", "adapter_model.safetensors"));
        Assert.Equal(exact, await ReadAsync(reader, "adp_1", "adapter.gguf"));
        Assert.Equal("""{"r": 4}""", Encoding.UTF8.GetString(await ReadAsync(reader, "adp_1", "adapter_config.json") ?? []));
        Assert.Equal(0, (await ReadAsync(reader, "adp_1", "empty"))?.Length);
        Assert.Null(await ReadAsync(reader, "adp_1", "adapter_model.bin"));

        files.Delete("adp_1");
        Assert.Empty(reader.Names("adp_1"));
        Assert.Null(await ReadAsync(reader, "adp_1", "adapter_model.safetensors"));
        Assert.Equal(4, reader.Names("adp_2").Count);
        Assert.Equal(weights, await ReadAsync(reader, "adp_2", "adapter_model.safetensors"));
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public async Task Files_saved_whole_before_the_parts_read_back_as_one_part(string backend)
    {
        // The two migrations' own SQL, on a store that had only the whole-file table when it was written to.
        using var store = StoreBackends.Fresh(backend);
        var database = store.Connect();
        var migrations = SchemaMigrations.For(database.Dialect);
        var weights = new byte[250_000];
        new Random(7).NextBytes(weights);
        using (var connection = database.Open())
        {
            connection.Execute(migrations.Single(m => m.Name == "adapter_files").Sql);
            connection.Execute("INSERT INTO adapter_files (adapter_id, name, content) VALUES ('adp_old', 'adapter_model.safetensors', @weights)", new { weights });
            connection.Execute(migrations.Single(m => m.Name == "adapter_file_parts").Sql);
        }

        var files = new AdapterFileStore(database, partBytes: 100_000);
        Assert.Equal(["adapter_model.safetensors"], files.Names("adp_old"));
        Assert.Equal(weights, await ReadAsync(files, "adp_old", "adapter_model.safetensors"));
    }

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void A_worker_finds_only_ready_adapters_of_the_callers_tenant_and_learns_which_it_holds_are_gone(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var database = store.Migrated();
        var keys = new KeyStore(database);
        var mine = keys.CreateKey("mine", null).Tenant.Id;
        var theirs = keys.CreateKey("theirs", null).Tenant.Id;
        var adapters = new AdapterStore(database);
        var ready = Adapter(mine, "ready-one", "ready");
        var downloading = Adapter(mine, "still-coming", "pending");
        var foreign = Adapter(theirs, "ready-one", "ready");
        foreach (var a in new[] { ready, downloading, foreign }) Assert.True(adapters.TryInsert(a));

        Assert.Equal(ready.Id, adapters.FindReady(mine, "demo", "ready-one")?.Id);
        Assert.Equal(foreign.Id, adapters.FindReady(theirs, "demo", "ready-one")?.Id);
        Assert.Null(adapters.FindReady(mine, "other-model", "ready-one"));
        Assert.Null(adapters.FindReady(mine, "demo", "still-coming"));

        Assert.Empty(adapters.ReadyAmong([]));
        Assert.Equal(new[] { ready.Id, foreign.Id }.Order(), adapters.ReadyAmong([ready.Id, downloading.Id, foreign.Id, "adp_never"]).Order());
        Assert.True(adapters.Delete(mine, ready.Id));
        Assert.Equal([foreign.Id], adapters.ReadyAmong([ready.Id, foreign.Id]));
    }
}
