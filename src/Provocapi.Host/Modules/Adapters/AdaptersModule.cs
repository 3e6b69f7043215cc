using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Provocapi.Core.Adapters;
using Provocapi.Host.Modules.Adapters.Create;
using Provocapi.Host.Modules.Adapters.Delete;
using Provocapi.Host.Modules.Adapters.Get;
using Provocapi.Host.Modules.Adapters.Hub;
using Provocapi.Host.Modules.Adapters.List;
using Provocapi.Host.Modules.Adapters.Upload;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>
/// LoRA adapters per tenant: upload or fetch from the hub, list, inspect and delete. Ready adapters are registered
/// with Core's <see cref="AdapterRegistry"/>, through which the inference module serves <c>model: "base:adapter"</c>.
/// </summary>
public static class AdaptersModule
{
    public static WebApplicationBuilder AddAdapters(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdapterOptions>().BindConfiguration(AdapterOptions.Section).ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.HubEndpoint ?? AdapterOptions.DefaultHubEndpoint, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Provocapi:Adapters:HubEndpoint must be an http(s) URL")
            .ValidateOnStart();
        builder.Services.AddSingleton(s => new AdapterRegistry(s.GetRequiredService<IOptions<AdapterOptions>>().Value.CacheBytes));
        builder.Services.AddSingleton<AdapterStore>();
        builder.Services.AddSingleton<AdapterFiles>();
        builder.Services.AddSingleton<HubClient>();
        builder.Services.AddSingleton<HubDownloader>();
        builder.Services.AddHostedService<AdapterStartup>();
        builder.Services.AddHostedService(s => s.GetRequiredService<HubDownloader>());
        return builder;
    }

    public static WebApplication MapAdapters(this WebApplication app)
    {
        var adapters = app.MapGroup("/v1/adapters").WithTags("Adapters");
        adapters.MapCreateAdapter();
        adapters.MapUploadAdapter();
        adapters.MapListAdapters();
        adapters.MapGetAdapter();
        adapters.MapDeleteAdapter();
        return app;
    }

    /// <summary>At start: ready adapters become servable again; downloads a restart interrupted are failed, to be created again.</summary>
    sealed class AdapterStartup(AdapterStore store, AdapterFiles files, AdapterRegistry registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var a in store.WithStatus("ready"))
                registry.Register(new AdapterRegistration(a.Id, a.TenantId, a.BaseModel, a.Name, files.AdapterPath(a.TenantId, a.Id, a.Format)));
            foreach (var a in store.WithStatus("pending", "downloading"))
            {
                store.SetFailed(a.Id, "the download was interrupted by a server restart; create the adapter again");
                files.DeleteFolder(a.TenantId, a.Id);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
