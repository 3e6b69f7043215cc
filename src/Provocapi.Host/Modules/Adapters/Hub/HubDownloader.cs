using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Core.Adapters;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Adapters.Hub;

/// <summary>
/// Fetches adapters from the hub in the background, one at a time: <c>pending</c> → <c>downloading</c> → <c>ready</c>
/// (checked against the base model, then servable) or <c>failed</c> with the reason.
/// </summary>
public sealed class HubDownloader(HubClient hub, AdapterStore store, AdapterFiles files, AdapterPlacement placement, IOptions<AdapterOptions> options,
    ILogger<HubDownloader> logger) : BackgroundService
{
    readonly Channel<HubDownload> _queue = Channel.CreateUnbounded<HubDownload>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(HubDownload download) => _queue.Writer.TryWrite(download);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var download in _queue.Reader.ReadAllAsync(stoppingToken))
                await RunAsync(download, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping. A host whose start failed cancels without stopping, and would log a cancelled task as a crash.
        }
    }

    async Task RunAsync(HubDownload d, CancellationToken stoppingToken)
    {
        store.SetDownloading(d.Id);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.DownloadTimeoutSeconds));
        try
        {
            var folder = files.CreateFolder(d.TenantId, d.Id);
            long total = 0;
            foreach (var file in new[] { LoraAdapterLoader.PeftConfigFile, LoraAdapterLoader.PeftWeightsFile })
                await hub.DownloadAsync(d.Repo, d.Revision, file,
                    async body => total += await files.CopyAsync(body, Path.Combine(folder, file), files.MaxBytes - total, timeout.Token), timeout.Token);
            var path = files.AdapterPath(d.TenantId, d.Id, "peft");
            var description = files.Check(path, d.Name, d.BaseConfig);
            placement.Prepare(d.Id, folder);
            if (!store.SetReady(d.Id, "peft", description))
            {
                // Deleted while it downloaded.
                placement.Discard(d.TenantId, d.Id);
                return;
            }
            placement.Ready(new AdapterRegistration(d.Id, d.TenantId, d.BaseModel, d.Name, path));
            logger.LogInformation("adapter {Id} ({Name}) downloaded from {Repo}@{Revision}", d.Id, d.Name, d.Repo, d.Revision);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            var reason = e switch
            {
                HubException or ApiException => e.Message,
                OperationCanceledException => $"the download took longer than {options.Value.DownloadTimeoutSeconds} s",
                HttpRequestException => $"the hub could not be reached ({e.Message})",
                _ => $"the download failed ({e.GetType().Name})",
            };
            logger.LogWarning("adapter {Id} ({Name}) from {Repo}@{Revision} failed: {Reason}", d.Id, d.Name, d.Repo, d.Revision, reason);
            store.SetFailed(d.Id, reason);
            placement.Discard(d.TenantId, d.Id);
        }
    }
}
