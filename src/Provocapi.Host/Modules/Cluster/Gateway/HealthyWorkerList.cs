using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>The workers this gateway would route to now, by the registry as last read.</summary>
public sealed class HealthyWorkerList(WorkerDirectory directory) : IHealthyWorkers
{
    public IReadOnlyList<string> Urls() => directory.Usable.Select(w => w.Url).ToList();
}
