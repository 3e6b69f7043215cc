using Provocapi.Engine.Models.Adapters;

namespace Provocapi.Core.Adapters;

/// <summary>
/// An adapter's weights in memory, as the <see cref="AdapterRegistry"/> loaded them. Sequences hold it while they
/// run (reference-counted), so eviction or deletion never takes weights from under a running sequence; an evicted
/// adapter is loaded again, as a new <see cref="LoadedAdapter"/> with a new <see cref="Identity"/>, on its next use.
/// </summary>
public sealed class LoadedAdapter
{
    int _holders;

    internal LoadedAdapter(string id, LoraAdapter adapter, ulong identity)
    {
        Id = id;
        Adapter = adapter;
        Identity = identity;
    }

    /// <summary>The registry's id of the adapter.</summary>
    public string Id { get; }
    public LoraAdapter Adapter { get; }
    /// <summary>Unique per load and never 0 (the base model's root), so the prefix cache keeps each adapter's pages apart.</summary>
    public ulong Identity { get; }
    public int Holders => Volatile.Read(ref _holders);
    internal long LastUsed { get; set; }

    /// <summary>One more holder (a sequence, or a request resolving its model).</summary>
    public void Retain() => Interlocked.Increment(ref _holders);

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) < 0) throw new InvalidOperationException($"adapter '{Id}' released more often than retained");
    }
}
