namespace Provocapi.Core.Adapters;

/// <summary>No adapter is registered under the id asked for (never registered, or deleted).</summary>
public sealed class AdapterNotFoundException(string id) : Exception($"no adapter '{id}' is registered")
{
    public string Id { get; } = id;
}
