using Provocapi.Core.Adapters;
using Provocapi.Engine.Models;
using Provocapi.Tests;

namespace Provocapi.Core.Tests.Adapters;

/// <summary>Adapters load on first use, are evicted least recently used first under the byte budget, never while held, and not at all once deleted.</summary>
public sealed class AdapterRegistryTests
{
    static readonly TransformerConfig Config = SyntheticModel.Shape("tiny") with { LayerCount = 2 };

    static (AdapterRegistry Registry, long Size) Registry(int budgetAdapters, params string[] ids)
    {
        var size = 0L;
        var paths = ids.Select((id, i) => TestLoraAdapter.Random(Config, 4, 8f, seed: i).WritePeft()).ToList();
        var probe = new AdapterRegistry(long.MaxValue);
        probe.Register(new AdapterRegistration("probe", null, "base", "probe", paths[0]));
        var loaded = probe.Acquire("probe", Config);
        size = loaded.Adapter.ByteSize;
        var registry = new AdapterRegistry(budgetAdapters * size);
        for (var i = 0; i < ids.Length; i++) registry.Register(new AdapterRegistration(ids[i], null, "base", ids[i], paths[i]));
        return (registry, size);
    }

    [Fact]
    public void The_least_recently_used_unheld_adapter_is_evicted_first()
    {
        var (registry, size) = Registry(2, "a", "b", "c");
        registry.Acquire("a", Config).Release();
        var b = registry.Acquire("b", Config);
        b.Release();
        registry.Acquire("a", Config).Release();   // a is now more recent than b
        registry.Acquire("c", Config).Release();
        Assert.True(registry.IsLoaded("a"));
        Assert.False(registry.IsLoaded("b"));
        Assert.True(registry.IsLoaded("c"));
        Assert.Equal(2 * size, registry.LoadedBytes);
        // Loaded again, b is a new load with a new identity, so no cached page of the old one can be mistaken for it.
        var reloaded = registry.Acquire("b", Config);
        Assert.NotEqual(b.Identity, reloaded.Identity);
        Assert.NotEqual(0UL, reloaded.Identity);
    }

    [Fact]
    public void A_held_adapter_is_not_evicted_even_over_budget()
    {
        var (registry, _) = Registry(1, "a", "b");
        var a = registry.Acquire("a", Config);
        var b = registry.Acquire("b", Config);
        Assert.True(registry.IsLoaded("a"));
        Assert.True(registry.IsLoaded("b"));
        a.Release();
        b.Release();
        registry.Acquire("b", Config).Release();
        Assert.False(registry.IsLoaded("a"));
    }

    [Fact]
    public void A_deleted_adapter_cannot_be_used_again_but_its_holders_keep_it()
    {
        var (registry, _) = Registry(4, "a");
        Assert.Equal("a", registry.Find(null, "base", "a"));
        Assert.Null(registry.Find("another tenant", "base", "a"));
        var held = registry.Acquire("a", Config);
        Assert.True(registry.Unregister("a"));
        Assert.Null(registry.Find(null, "base", "a"));
        Assert.Throws<AdapterNotFoundException>(() => registry.Acquire("a", Config));
        Assert.NotNull(held.Adapter.Weights(0, Engine.Models.Adapters.LoraProjection.Query));
        Assert.Equal(0, registry.LoadedBytes);
    }
}
