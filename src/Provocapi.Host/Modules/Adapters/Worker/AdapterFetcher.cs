using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Core.Adapters;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Host.Platform.Adapters;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Adapters.Worker;

/// <summary>
/// A worker's adapters, fetched on demand: a request for an adapter this worker does not hold looks it up in the
/// shared store, downloads its files from a gateway (<c>Provocapi:Cluster:GatewayUrl</c>) into the
/// <see cref="AdapterCache"/> and registers it. Requests that need the same adapter at once share one fetch.
/// </summary>
public sealed class AdapterFetcher(
    AdapterRegistry registry,
    AdapterStore store,
    AdapterCache cache,
    ClusterSecret secret,
    IOptions<ClusterOptions> cluster,
    IOptions<AdapterOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<AdapterFetcher> logger) : IAdapterResolver, IDisposable
{
    /// <summary>The only names a gateway stores (see <see cref="AdapterFiles"/>), so a listed name can never leave the folder.</summary>
    static readonly HashSet<string> KnownFiles = new(StringComparer.Ordinal) { LoraAdapterLoader.PeftConfigFile, LoraAdapterLoader.PeftWeightsFile, AdapterFiles.GgufFile };

    readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5), AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
    readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _fetching = new(StringComparer.Ordinal);

    public async ValueTask<string?> ResolveAsync(string tenantId, string baseModel, string name, CancellationToken cancellationToken)
    {
        if (registry.Find(tenantId, baseModel, name) is { } held) return held;
        if (store.FindReady(tenantId, baseModel, name) is not { } adapter) return null;
        // The fetch is not the first caller's: it runs to its end even if that caller goes away, for the others waiting.
        var fetch = _fetching.GetOrAdd(adapter.Id, _ => new Lazy<Task<string?>>(() => FetchAsync(adapter)));
        return await fetch.Value.WaitAsync(cancellationToken);
    }

    async Task<string?> FetchAsync(AdapterStore.StoredAdapter adapter)
    {
        try
        {
            // A fetch that ended between the caller's look and this one registered it already: fetching again would
            // replace the files under the registration in use.
            if (registry.Find(adapter.TenantId, adapter.BaseModel, adapter.Name) is { } held) return held;
            var gateway = cluster.Value.GatewayUrl?.TrimEnd('/')
                ?? throw ApiException.Unavailable("This worker cannot fetch adapters: it has no Provocapi:Cluster:GatewayUrl.", "adapter_unavailable", 5);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.DownloadTimeoutSeconds));
            var folder = await DownloadAsync($"{gateway}/internal/adapters/{Uri.EscapeDataString(adapter.Id)}/files", adapter.Id, timeout.Token);
            if (folder == null) return null;
            cache.Hold(new AdapterRegistration(adapter.Id, adapter.TenantId, adapter.BaseModel, adapter.Name, AdapterFiles.PathIn(folder, adapter.Format)));
            // A delete between the lookup and now found nothing here to drop; this catches it.
            if (!IsReady(adapter.Id))
            {
                cache.Drop(adapter.Id);
                return null;
            }
            logger.LogInformation("adapter {Id} ({Name} on {Base}) fetched from {Gateway} into {Folder}", adapter.Id, adapter.Name, adapter.BaseModel, gateway, folder);
            return adapter.Id;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or InvalidDataException or JsonException)
        {
            if (!IsReady(adapter.Id)) return null;
            logger.LogWarning("adapter {Id} could not be fetched: {Reason}", adapter.Id, e.Message);
            throw ApiException.Upstream($"The adapter '{adapter.Name}' could not be fetched from the gateways. Please try again.");
        }
        finally
        {
            _fetching.TryRemove(adapter.Id, out _);
        }
    }

    /// <summary>The adapter's files in its cache folder; null when the gateway no longer has it (deleted meanwhile).</summary>
    async Task<string?> DownloadAsync(string filesUrl, string id, CancellationToken cancellationToken)
    {
        var staging = cache.NewStagingFolder();
        try
        {
            using var list = await GetAsync(filesUrl, cancellationToken);
            if (list == null) return null;
            var names = (await list.Content.ReadFromJsonAsync<AdapterFileList>(ApiJson.Options, cancellationToken))?.Data ?? [];
            if (names.Count == 0 || names.Any(n => !KnownFiles.Contains(n)))
                throw new InvalidDataException($"the gateway listed unexpected files: {string.Join(", ", names)}");
            foreach (var name in names)
            {
                using var file = await GetAsync($"{filesUrl}/{name}", cancellationToken);
                if (file == null) return null;
                await using var target = new FileStream(Path.Combine(staging, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await file.Content.CopyToAsync(target, cancellationToken);
            }
            return cache.Commit(staging, id);
        }
        finally
        {
            AdapterFiles.DeleteTree(staging);
        }
    }

    /// <summary>The gateway's answer; null for a 404; anything else not a success is a failed fetch.</summary>
    async Task<HttpResponseMessage?> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", secret.AuthorizationValue);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode}");
        }
        return response;
    }

    bool IsReady(string id) => store.ReadyAmong([id]).Count == 1;

    public void Dispose() => _http.Dispose();
}
