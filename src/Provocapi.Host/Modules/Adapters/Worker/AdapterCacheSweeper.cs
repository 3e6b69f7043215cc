using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CacheCheckInterval);
        while (await Tick(timer, stoppingToken))
        {
            try { Sweep(); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "could not check the cached adapters against the store; trying again in {Interval}", options.Value.CacheCheckInterval);
            }
        }
    }

    void Sweep()
    {
        var held = cache.HeldIds();
        var ready = store.ReadyAmong(held);
        foreach (var id in held.Where(id => !ready.Contains(id)))
            if (cache.Drop(id)) logger.LogInformation("adapter {Id} is gone from the store; dropped", id);
    }

    static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken); }
        catch (OperationCanceledException) { return false; }
    }
}
