using Microsoft.Extensions.Logging;
using Provocapi.Core.Adapters;
using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Adapters.Gateway;

/// <summary>
/// A gateway: workers serve adapters, fetching the files from the shared store through a gateway when a request
/// first needs one. A ready adapter's files are copied into the store (the folder here was only where they arrived);
/// a delete removes them and tells every healthy worker to drop its copy. The notice is best effort: a worker that
/// misses it drops the adapter at its next check against the store.
/// </summary>
public sealed class SharedStorePlacement(AdapterFileStore stored, AdapterFiles files, IHealthyWorkers workers, ClusterSecret secret,
    ILogger<SharedStorePlacement> logger) : AdapterPlacement, IDisposable
{
    static readonly TimeSpan NoticeTimeout = TimeSpan.FromSeconds(5);

    readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = NoticeTimeout };

    public override void Prepare(string id, string folder) => stored.Save(id, folder);

    public override void Ready(AdapterRegistration adapter) => files.DeleteFolder(adapter.Owner!, adapter.Id);

    public override void Discard(string tenantId, string id)
    {
        stored.Delete(id);
        files.DeleteFolder(tenantId, id);
    }

    public override async Task RemoveAsync(string tenantId, string id)
    {
        Discard(tenantId, id);
        await Task.WhenAll(workers.Urls().Select(url => NotifyAsync(url, id)));
    }

    async Task NotifyAsync(string workerUrl, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{workerUrl}/internal/adapters/{Uri.EscapeDataString(id)}");
        request.Headers.TryAddWithoutValidation("Authorization", secret.AuthorizationValue);
        try
        {
            using var response = await _http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
                logger.LogWarning("worker at {Url} answered {Status} to the delete of adapter {Id}; it drops it at its next check", workerUrl, (int)response.StatusCode, id);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("worker at {Url} missed the delete of adapter {Id} ({Reason}); it drops it at its next check", workerUrl, id, e.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
