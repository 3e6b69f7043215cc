using System.ComponentModel.DataAnnotations;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>The <c>Provocapi:Adapters</c> configuration section.</summary>
public sealed class AdapterOptions
{
    public const string Section = "Provocapi:Adapters";
    public const string DefaultHubEndpoint = "https://huggingface.co";

    /// <summary>The Hugging Face hub to download from; unset: <c>HF_ENDPOINT</c>, else https://huggingface.co. No other host is contacted.</summary>
    public string? HubEndpoint { get; set; }

    /// <summary>Bearer token for the hub (private repos); unset: <c>HF_TOKEN</c>, else none.</summary>
    public string? HubToken { get; set; }

    /// <summary>Largest adapter accepted, all files together (413 beyond for uploads; a failed download beyond).</summary>
    [Range(1024, 1L << 40)]
    public long MaxAdapterBytes { get; set; } = 1L << 30;

    /// <summary>Memory for loaded adapter weights (F16); past it, the least recently used idle adapters are unloaded.</summary>
    [Range(1L << 20, 1L << 42)]
    public long CacheBytes { get; set; } = 2L << 30;

    [Range(1, 86400)]
    public int DownloadTimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// On workers: how often the adapters fetched from the gateways are checked against the store, so one deleted
    /// while this worker missed the gateway's notice is dropped all the same.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan CacheCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Hosts a hub redirect may lead to (the hub's own storage for large files); any other redirect fails the download.
    /// Requests are only ever made to the hub endpoint and, when it redirects, to these, never to a caller-chosen address.
    /// </summary>
    public List<string> HubRedirectHosts { get; set; } = ["cdn-lfs.huggingface.co", "cdn-lfs.hf.co", "cdn-lfs-us-1.hf.co", "cdn-lfs-eu-1.hf.co", "cas-bridge.xethub.hf.co"];

    public Uri ResolvedHubEndpoint()
    {
        var text = HubEndpoint ?? Environment.GetEnvironmentVariable("HF_ENDPOINT") ?? DefaultHubEndpoint;
        return Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"the adapter hub endpoint '{text}' is not an http(s) URL");
    }

    public string? ResolvedHubToken() => HubToken ?? Environment.GetEnvironmentVariable("HF_TOKEN");
}
