using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Provocapi.Host.Modules.Adapters.Hub;

/// <summary>
/// Fetches <c>{endpoint}/{repo}/resolve/{revision}/{file}</c> from the configured Hugging Face hub. The repo and
/// revision are validated names (<see cref="AdapterNames"/>), so the URL stays on the hub; redirects are followed by
/// hand, only to the hub itself or its listed storage hosts, and the token goes to the hub alone.
/// </summary>
public sealed class HubClient : IDisposable
{
    const int MaxRedirects = 5;
    readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
    readonly Uri _endpoint;
    readonly string? _token;
    readonly HashSet<string> _redirectHosts;

    public HubClient(IOptions<AdapterOptions> options)
    {
        _endpoint = options.Value.ResolvedHubEndpoint();
        _token = options.Value.ResolvedHubToken();
        _redirectHosts = new HashSet<string>(options.Value.HubRedirectHosts, StringComparer.OrdinalIgnoreCase);
    }

    public Uri Endpoint => _endpoint;

    /// <summary>Streams one file of the repo to <paramref name="copy"/>, which writes it under the size budget.</summary>
    public async Task DownloadAsync(string repo, string revision, string file, Func<Stream, Task> copy, CancellationToken cancellationToken)
    {
        var uri = new Uri(_endpoint, $"{repo}/resolve/{revision}/{file}");
        if (!OnHub(uri)) throw new HubException($"'{repo}' does not name a repository on the hub");
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (_token != null && OnHub(uri)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var next = new Uri(uri, location);
                if (hop >= MaxRedirects) throw new HubException($"the hub redirected more than {MaxRedirects} times for {file}");
                if (!OnHub(next) && !(next.Scheme == Uri.UriSchemeHttps && _redirectHosts.Contains(next.Host)))
                    throw new HubException($"the hub redirected {file} to {next.Host}, which is neither the hub nor one of its storage hosts (HubRedirectHosts); it was not contacted");
                uri = next;
                continue;
            }
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    throw new HubException($"the hub has no {file} in '{repo}' at revision '{revision}'");
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    throw new HubException($"the hub refused access to '{repo}' ({(int)response.StatusCode}); a private or gated repository needs a token (HubToken or HF_TOKEN)");
                case var status when !response.IsSuccessStatusCode:
                    throw new HubException($"the hub answered {(int)status} for {file}");
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await copy(body);
            return;
        }
    }

    bool OnHub(Uri uri) => uri.Scheme == _endpoint.Scheme && uri.IdnHost == _endpoint.IdnHost && uri.Port == _endpoint.Port
        && uri.AbsolutePath.StartsWith(_endpoint.AbsolutePath, StringComparison.Ordinal);

    public void Dispose() => _http.Dispose();
}
