using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Hosting;

namespace Provocapi.Host.Modules.Adapters.Worker;

/// <summary>
/// Keeps a worker's <see cref="AdapterCache"/> honest: cleared at start, then checked against the store every
/// <see cref="AdapterOptions.CacheCheckInterval"/>; an adapter no longer ready there (deleted while this worker
/// missed the gateway's notice) is dropped.
/// </summary>
public sealed class AdapterCacheSweeper(AdapterCache cache, AdapterStore store, IOptions<AdapterOptions> options, ILogger<AdapterCacheSweeper> logger)
    : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        cache.Clear();
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(options.Value.CacheCheckInterval, TimeProvider.System, firstAtOnce: false, Sweep,
            e => logger.LogWarning(e, "could not check the cached adapters against the store; trying again in {Interval}", options.Value.CacheCheckInterval), stoppingToken);

    void Sweep()
    {
        var held = cache.HeldIds();
        var ready = store.ReadyAmong(held);
        foreach (var id in held.Where(id => !ready.Contains(id)))
            if (cache.Drop(id)) logger.LogInformation("adapter {Id} is gone from the store; dropped", id);
    }
}
