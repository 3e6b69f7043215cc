using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Cluster.Registry;

/// <summary>One worker's row in the registry: where it listens, what it serves, and when it last reported.</summary>
public sealed record WorkerRecord(
    string Id,
    string Instance,
    string Url,
    IReadOnlyList<WorkerModel> Models,
    IReadOnlyList<string> Adapters,
    long StartedAt,
    long HeartbeatAt,
    long? StoppedAt)
{
    /// <summary>The affinity key of an adapter: its tenant, base model and name.</summary>
    public static string AdapterKey(string? tenantId, string baseModel, string name) => $"{tenantId}/{baseModel}/{name}";
}
