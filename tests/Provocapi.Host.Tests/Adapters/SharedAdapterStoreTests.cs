using Provocapi.Host.Modules.Adapters;
using Provocapi.Host.Modules.Adapters.Gateway;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Tests.Store;

namespace Provocapi.Host.Tests.Adapters;

/// <summary>What gateways and workers share about adapters, on a real store (SQLite, and PostgreSQL where configured).</summary>
public sealed class SharedAdapterStoreTests
{
    static AdapterStore.StoredAdapter Adapter(string tenantId, string name, string status) =>
        new(AdapterStore.NewId(), tenantId, name, "demo", "peft", null, null, status, null, 4, 8, "q_proj", 1000, 1_700_000_000);

    [Theory]
    [MemberData(nameof(StoreBackends.Names), MemberType = typeof(StoreBackends))]
    public void Files_come_back_byte_for_byte_by_name_and_go_with_a_delete(string backend)
    {
        using var store = StoreBackends.Fresh(backend);
        var files = new AdapterFileStore(store.Migrated());
        var folder = Directory.CreateTempSubdirectory("provocapi-adapter-files-").FullName;
        var weights = new byte[300_000];
        new Random(5).NextBytes(weights);
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), weights);
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), """{"r": 4}""");

        files.Save("adp_1", folder);
        files.Save("adp_2", folder);
        // Another process sees them as written.
        var reader = new AdapterFileStore(store.Connect());
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], reader.Names("adp_1"));
        Assert.Equal(weights, reader.Content("adp_1", "adapter_model.safetensors"));
        Assert.Equal("""{"r": 4}"""u8.ToArray(), reader.Content("adp_1", "adapter_config.json"));
        Assert.Null(reader.Content("adp_1", "adapter.gguf"));

        files.Delete("adp_1");
        Assert.Empty(reader.Names("adp_1"));
        Assert.Null(reader.Content("adp_1", "adapter_model.safetensors"));
        Assert.Equal(2, reader.Names("adp_2").Count);
        Directory.Delete(folder, recursive: true);
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
