using Provocapi.Engine.Models;
using Provocapi.Engine.Models.Adapters;

namespace Provocapi.Core.Adapters;

/// <summary>
/// The LoRA adapters a process can serve, by id and by (owner, base model, name), with their files on disk. Weights
/// are loaded on first use and kept under a byte budget: past it, the least recently used adapters that no sequence
/// holds are evicted (LoRAX's and S-LoRA's adapter cache). Thread-safe.
/// </summary>
public sealed class AdapterRegistry(long budgetBytes)
{
    readonly Lock _lock = new();
    readonly Dictionary<string, AdapterRegistration> _registered = new(StringComparer.Ordinal);
    readonly Dictionary<(string? Owner, string BaseModel, string Name), string> _byName = [];
    readonly Dictionary<string, LoadedAdapter> _loaded = new(StringComparer.Ordinal);
    readonly HashSet<string> _pinned = new(StringComparer.Ordinal);
    long _loadedBytes;
    long _clock;
    long _identities;

    public long BudgetBytes { get; } = budgetBytes;

    public long LoadedBytes
    {
        get { lock (_lock) return _loadedBytes; }
    }

    public bool IsLoaded(string id)
    {
        lock (_lock) return _loaded.ContainsKey(id);
    }

    /// <summary>The adapters servable now, in no particular order.</summary>
    public IReadOnlyList<AdapterRegistration> Registered()
    {
        lock (_lock) return [.. _registered.Values];
    }

    /// <summary>Makes an adapter servable from its path (a PEFT folder or a GGUF LoRA file).</summary>
    public void Register(AdapterRegistration adapter)
    {
        lock (_lock)
        {
            _registered[adapter.Id] = adapter;
            _byName[(adapter.Owner, adapter.BaseModel, adapter.Name)] = adapter.Id;
        }
    }

    /// <summary>The id of <paramref name="owner"/>'s adapter <paramref name="name"/> on <paramref name="baseModel"/>, if registered.</summary>
    public string? Find(string? owner, string baseModel, string name)
    {
        lock (_lock) return _byName.GetValueOrDefault((owner, baseModel, name));
    }

    /// <summary>New uses fail from now on; sequences that hold the weights keep them until they finish.</summary>
    public bool Unregister(string id)
    {
        lock (_lock)
        {
            if (_loaded.Remove(id, out var loaded)) _loadedBytes -= loaded.Adapter.ByteSize;
            if (_pinned.Remove(id)) return true;
            if (!_registered.Remove(id, out var adapter)) return false;
            _byName.Remove((adapter.Owner, adapter.BaseModel, adapter.Name));
            return true;
        }
    }

    /// <summary>
    /// The adapter's weights for a base model of <paramref name="baseConfig"/>, loaded if they are not in memory, and
    /// retained for the caller (who must <see cref="LoadedAdapter.Release"/> it).
    /// </summary>
    public LoadedAdapter Acquire(string id, TransformerConfig baseConfig)
    {
        string path;
        lock (_lock)
        {
            if (_loaded.TryGetValue(id, out var cached))
            {
                Use(cached);
                // Adapters held when the budget was last passed may have been let go since.
                EvictOverBudget();
                return cached;
            }
            if (!_registered.TryGetValue(id, out var registered)) throw new AdapterNotFoundException(id);
            path = registered.Path;
        }
        // Loading reads files; outside the lock, so other adapters stay usable meanwhile. Two first uses at once may
        // both load; the first one stored wins.
        var adapter = LoraAdapterLoader.Load(path, id, baseConfig);
        lock (_lock)
        {
            if (_loaded.TryGetValue(id, out var raced)) return Use(raced);
            if (!_registered.ContainsKey(id)) throw new AdapterNotFoundException(id);
            var loaded = new LoadedAdapter(id, adapter, (ulong)Interlocked.Increment(ref _identities));
            _loaded[id] = loaded;
            _loadedBytes += adapter.ByteSize;
            Use(loaded);
            EvictOverBudget();
            return loaded;
        }
    }

    /// <summary>
    /// Serves an adapter already in memory (built in code, or synthetic for benchmarks), retained for the caller. It
    /// counts against the budget but is never evicted, having no files to reload from.
    /// </summary>
    public LoadedAdapter Add(string id, LoraAdapter adapter)
    {
        lock (_lock)
        {
            if (_loaded.ContainsKey(id) || _registered.ContainsKey(id)) throw new ArgumentException($"an adapter '{id}' is already registered", nameof(id));
            var loaded = new LoadedAdapter(id, adapter, (ulong)Interlocked.Increment(ref _identities));
            _pinned.Add(id);
            _loaded[id] = loaded;
            _loadedBytes += adapter.ByteSize;
            return Use(loaded);
        }
    }

    LoadedAdapter Use(LoadedAdapter loaded)
    {
        loaded.LastUsed = ++_clock;
        loaded.Retain();
        return loaded;
    }

    void EvictOverBudget()
    {
        while (_loadedBytes > BudgetBytes)
        {
            var victim = _loaded.Values.Where(l => l.Holders == 0 && !_pinned.Contains(l.Id)).MinBy(l => l.LastUsed);
            if (victim == null) return;
            _loaded.Remove(victim.Id);
            _loadedBytes -= victim.Adapter.ByteSize;
        }
    }
}
