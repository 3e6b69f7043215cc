using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Provocapi.Host.Tests.Adapters;

/// <summary>
/// A stand-in for the Hugging Face hub on loopback (Kestrel on 127.0.0.1): serves files at
/// <c>/{repo}/resolve/{revision}/{file}</c>, answers chosen paths with a redirect, and records every request it gets.
/// </summary>
public sealed class LoopbackHub : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentDictionary<string, byte[]> _files = new();
    readonly ConcurrentDictionary<string, string> _redirects = new();

    public ConcurrentQueue<(string Host, string Path, string? Authorization)> Requests { get; } = new();
    public Uri Url { get; }

    LoopbackHub(WebApplication app, Uri url, ConcurrentDictionary<string, byte[]> files, ConcurrentDictionary<string, string> redirects)
    {
        _app = app;
        Url = url;
        _files = files;
        _redirects = redirects;
    }

    public static LoopbackHub Start()
    {
        var files = new ConcurrentDictionary<string, byte[]>();
        var redirects = new ConcurrentDictionary<string, string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LoopbackHub? hub = null;
        app.Run(async http =>
        {
            var path = http.Request.Path.Value!.TrimStart('/');
            hub!.Requests.Enqueue((http.Request.Host.Host, path, http.Request.Headers.Authorization.FirstOrDefault()));
            if (redirects.TryGetValue(path, out var location)) http.Response.Redirect(location);
            else if (files.TryGetValue(path, out var bytes)) await http.Response.Body.WriteAsync(bytes);
            else http.Response.StatusCode = StatusCodes.Status404NotFound;
        });
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hub = new LoopbackHub(app, new Uri(address), files, redirects);
        return hub;
    }

    /// <summary>Publishes a PEFT folder's files as <paramref name="repo"/> at <paramref name="revision"/>.</summary>
    public void Publish(string repo, string revision, string folder)
    {
        foreach (var file in Directory.GetFiles(folder))
            _files[$"{repo}/resolve/{revision}/{Path.GetFileName(file)}"] = File.ReadAllBytes(file);
    }

    public void Redirect(string path, string location) => _redirects[path] = location;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
