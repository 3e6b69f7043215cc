using Provocapi.Host.Modules.Cluster.Registry;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// Picks the worker for a request: one that is healthy and serves the model to the caller's tenant, preferring one
/// that already holds the adapter (its weights are on disk there, maybe in memory), then the least loaded
/// (<see cref="WorkerDirectory.Load"/>: queued and running sequences, this gateway's own counted once), ties broken at
/// random.
/// </summary>
public sealed class WorkerRouter(WorkerDirectory directory)
{
    /// <summary>A worker picked, and the model it serves under the requested name.</summary>
    public sealed record Route(WorkerRecord Worker, WorkerModel Model);

    public Route? Pick(string model, string? adapter, Caller caller, IReadOnlyCollection<string> exclude)
    {
        Route? best = null;
        (int Holds, long Load, int Draw) bestRank = default;
        foreach (var worker in directory.Usable)
        {
            if (exclude.Contains(worker.Id)) continue;
            var served = worker.Models.FirstOrDefault(m => m.Serves(model, caller.TenantName));
            if (served == null) continue;
            // Keyed by the model's id: workers report adapters by their base model's id, the request may name an alias.
            var holds = adapter != null && worker.Adapters.Contains(WorkerRecord.AdapterKey(caller.TenantId, served.Id, adapter)) ? 0 : 1;
            var rank = (holds, directory.Load(worker, served), Random.Shared.Next());
            if (best == null || rank.CompareTo(bestRank) < 0) (best, bestRank) = (new Route(worker, served), rank);
        }
        return best;
    }

    /// <summary>Whether any worker, healthy or not, has reported <paramref name="model"/> for the caller: unknown is a 404, known but unserved a 503.</summary>
    public bool Knows(string model, Caller caller) =>
        directory.Workers.Any(w => w.Models.Any(m => m.Serves(model, caller.TenantName)));

    /// <summary>The models healthy workers serve to the caller, one entry per id.</summary>
    public IReadOnlyList<WorkerModel> Models(Caller caller) =>
        directory.Usable
            .SelectMany(w => w.Models.Where(m => m.IsVisibleTo(caller.TenantName)))
            .GroupBy(m => m.Id).Select(g => g.MinBy(m => m.Created)!)
            .OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
}
