using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary>The catalog's ready models as a worker reports them to the registry, with each one's load now.</summary>
public sealed class ServedModelReport(ModelCatalog catalog) : IServedModelReport
{
    public IReadOnlyList<WorkerModel> ReadyModels() =>
        catalog.Models.Where(m => m.State == ModelState.Ready).Select(m => m.Engine is { } engine
                ? new WorkerModel(m.Id, m.Options.Aliases, m.Options.Tenants, "chat", Created(m), engine.Scheduler.QueueLength,
                    engine.RunningGenerations, engine.Scheduler.Pool.FreePages, engine.Model.Config)
                : new WorkerModel(m.Id, m.Options.Aliases, m.Options.Tenants, "embedding", Created(m), 0, 0, 0, null))
            .ToList();

    static long Created(ServedModel model) => (model.LoadedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
}
