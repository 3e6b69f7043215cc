using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Provocapi.Core.Adapters;
using Provocapi.Host.Modules.Adapters.Create;
using Provocapi.Host.Modules.Adapters.Delete;
using Provocapi.Host.Modules.Adapters.Gateway;
using Provocapi.Host.Modules.Adapters.Get;
using Provocapi.Host.Modules.Adapters.Hub;
using Provocapi.Host.Modules.Adapters.List;
using Provocapi.Host.Modules.Adapters.Upload;
using Provocapi.Host.Modules.Adapters.Worker;
using Provocapi.Host.Platform.Adapters;
using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>
/// LoRA adapters per tenant: upload or fetch from the hub, list, inspect and delete. Ready adapters are registered
/// with Core's <see cref="AdapterRegistry"/>, through which the inference module serves <c>model: "base:adapter"</c>.
/// By role: <c>all</c> keeps the files on disk and serves them itself; a gateway runs the API, keeps ready adapters'
/// files in the shared store and hands them to workers on the internal API; a worker fetches an adapter from a
/// gateway when a request first needs it, and drops it when it is deleted.
/// </summary>
public static class AdaptersModule
{
    public static WebApplicationBuilder AddAdapters(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration.Role();
        builder.Services.AddOptions<AdapterOptions>().BindConfiguration(AdapterOptions.Section).ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.HubEndpoint ?? AdapterOptions.DefaultHubEndpoint, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Provocapi:Adapters:HubEndpoint must be an http(s) URL")
            .ValidateOnStart();
        builder.Services.AddSingleton<AdapterStore>();
        if (role.RunsModels())
            builder.Services.AddSingleton(s => new AdapterRegistry(s.GetRequiredService<IOptions<AdapterOptions>>().Value.CacheBytes));
        if (role == ClusterRole.Worker)
        {
            builder.Services.AddSingleton<AdapterCache>();
            builder.Services.AddSingleton<IAdapterResolver, AdapterFetcher>();
            builder.Services.AddHostedService<AdapterCacheSweeper>();
            return builder;
        }
        if (role == ClusterRole.Gateway)
        {
            builder.Services.AddSingleton<AdapterFileStore>();
            builder.Services.AddSingleton<AdapterPlacement, SharedStorePlacement>();
        }
        else
        {
            builder.Services.AddSingleton<AdapterPlacement, InProcessPlacement>();
            builder.Services.AddSingleton<IAdapterResolver, RegisteredAdapterResolver>();
        }
        builder.Services.AddSingleton<AdapterFiles>();
        builder.Services.AddSingleton<HubClient>();
        builder.Services.AddSingleton<HubDownloader>();
        builder.Services.AddHostedService(s => new AdapterStartup(s.GetRequiredService<AdapterStore>(), s.GetRequiredService<AdapterFiles>(),
            s.GetRequiredService<AdapterPlacement>(), s.GetRequiredService<IOptions<AdapterOptions>>(), shared: role == ClusterRole.Gateway));
        builder.Services.AddHostedService(s => s.GetRequiredService<HubDownloader>());
        return builder;
    }

    public static WebApplication MapAdapters(this WebApplication app)
    {
        var role = app.Configuration.Role();
        if (role == ClusterRole.Worker)
        {
            app.MapInternalAdapters().MapDropAdapter();
            return app;
        }
        var adapters = app.MapGroup("/v1/adapters").WithTags("Adapters");
        adapters.MapCreateAdapter();
        adapters.MapUploadAdapter();
        adapters.MapListAdapters();
        adapters.MapGetAdapter();
        adapters.MapDeleteAdapter();
        if (role == ClusterRole.Gateway) app.MapInternalAdapters().MapAdapterFiles();
        return app;
    }

    /// <summary>
    /// At start: ready adapters become servable again (in the all role; a gateway serves none itself), and downloads a
    /// restart interrupted are failed, to be created again. Gateways sharing a store fail only downloads older than the
    /// download timeout: younger ones may be running on another gateway.
    /// </summary>
    sealed class AdapterStartup(AdapterStore store, AdapterFiles files, AdapterPlacement placement, IOptions<AdapterOptions> options, bool shared) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!shared)
                foreach (var a in store.WithStatus("ready"))
                    placement.Ready(new AdapterRegistration(a.Id, a.TenantId, a.BaseModel, a.Name, files.AdapterPath(a.TenantId, a.Id, a.Format)));
            var startedBefore = shared ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() - options.Value.DownloadTimeoutSeconds : long.MaxValue;
            foreach (var a in store.WithStatus("pending", "downloading").Where(a => a.CreatedAt < startedBefore))
            {
                store.SetFailed(a.Id, "the download was interrupted by a server restart; create the adapter again");
                placement.Discard(a.TenantId, a.Id);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
