using Provocapi.Engine.Models;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>
/// A model as a worker reports it in the registry: its names, who may use it, its load, and (for chat models) its
/// shape, which lets a gateway check an adapter against a base model it does not load.
/// </summary>
public sealed record WorkerModel(
    string Id,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> Tenants,
    string Kind,
    long Created,
    int QueueLength,
    int Running,
    int FreeKvPages,
    TransformerConfig? Config)
{
    public bool Answers(string name) => Id == name || Aliases.Contains(name);

    public bool IsVisibleTo(string tenantName) => Tenants.Count == 0 || Tenants.Contains(tenantName);

    /// <summary>Whether a request for <paramref name="name"/> from <paramref name="tenantName"/> can go to this model.</summary>
    public bool Serves(string name, string tenantName) => Answers(name) && IsVisibleTo(tenantName);
}

/// <summary>The ready models of this process, as <see cref="WorkerModel"/>s; the inference module provides it.</summary>
public interface IServedModelReport
{
    IReadOnlyList<WorkerModel> ReadyModels();
}
