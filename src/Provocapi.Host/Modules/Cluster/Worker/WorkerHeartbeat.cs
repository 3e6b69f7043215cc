using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Core.Adapters;
using Provocapi.Host.Modules.Cluster.Registry;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Hosting;

namespace Provocapi.Host.Modules.Cluster.Worker;

/// <summary>
/// Puts this worker in the registry once it listens, and reports again every heartbeat: its ready models with their
/// queue and free KV pages, and the adapters it holds. Stopping marks the row stopped at once, before the requests in
/// flight drain, so gateways send nothing new here.
/// </summary>
public sealed class WorkerHeartbeat(
    WorkerRegistry registry,
    NodeIdentity node,
    IServedModelReport models,
    AdapterRegistry adapters,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<ClusterOptions> options,
    TimeProvider clock,
    ILogger<WorkerHeartbeat> logger) : BackgroundService
{
    long _startedAt;
    readonly Lock _reporting = new();
    bool _left;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await Started(stoppingToken)) return;
        _startedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var url = AdvertisedUrl();
        logger.LogInformation("worker {Node} joins the cluster at {Url}", node.NodeId, url);
        lifetime.ApplicationStopping.Register(() => Leave());
        await PeriodicWork.RunAsync(options.Value.HeartbeatInterval, clock, firstAtOnce: true, () => Report(url),
            e => logger.LogWarning(e, "heartbeat failed; trying again in {Interval}", options.Value.HeartbeatInterval), stoppingToken);
    }

    WorkerRecord Record(string url)
    {
        var held = adapters.Registered()
            .Select(a => WorkerRecord.AdapterKey(a.Owner, a.BaseModel, a.Name)).Order(StringComparer.Ordinal).ToList();
        return new WorkerRecord(node.NodeId, node.Instance, url, models.ReadyModels(), held, _startedAt, clock.GetUtcNow().ToUnixTimeMilliseconds(), null);
    }

    /// <summary>One heartbeat, unless the worker has left: a report after <see cref="Leave"/> would mark the row live again.</summary>
    void Report(string url)
    {
        lock (_reporting)
            if (!_left) registry.Report(Record(url));
    }

    void Leave()
    {
        lock (_reporting) _left = true;
        try { registry.Stopped(node.NodeId, node.Instance, clock.GetUtcNow().ToUnixTimeMilliseconds()); }
        catch (Exception e)
        {
            logger.LogWarning(e, "could not mark this worker stopped; gateways will stop routing to it after {Timeout}", options.Value.WorkerTimeout);
        }
    }

    async Task<bool> Started(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The configured advertise URL, or the first address Kestrel bound, with a wildcard host made this machine's name.</summary>
    string AdvertisedUrl()
    {
        if (options.Value.AdvertiseUrl is { Length: > 0 } configured) return configured.TrimEnd('/');
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the worker listens nowhere; set Provocapi:Cluster:AdvertiseUrl");
        var uri = new UriBuilder(bound.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::") uri.Host = Environment.MachineName;
        return uri.Uri.ToString().TrimEnd('/');
    }
}
