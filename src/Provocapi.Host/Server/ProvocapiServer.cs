using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provocapi.Host.Modules.Adapters;
using Provocapi.Host.Modules.Batch;
using Provocapi.Host.Modules.Cluster;
using Provocapi.Host.Modules.Console;
using Provocapi.Host.Modules.Inference;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Modules.UsageAnalytics;
using Provocapi.Host.Platform;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Store;

namespace Provocapi.Host.Server;

/// <summary>The server: configuration, then each module's services, then each module's middleware and routes.</summary>
public static class ProvocapiServer
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplication Build(ServeArguments serve)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = serve.HostArguments, ContentRootPath = AppContext.BaseDirectory });
        Configure(builder, serve);
        var lifetime = HoldBackStartFailureLog(builder);
        var role = builder.Configuration.Role();
        builder.AddPlatform();
        builder.AddStore();
        builder.AddKeys();
        if (role.RunsModels()) builder.AddInference(serve.Models);
        builder.AddAdapters();
        builder.AddBatch();
        builder.AddUsage();
        builder.AddCluster();
        if (role.FacesTenants()) builder.AddConsole();

        var app = builder.Build();
        lifetime.Value = app.Lifetime;
        app.UsePlatform();
        if (role.FacesTenants())
        {
            app.UseKeys();
            app.UseUsage();
        }
        app.UseCluster();
        app.MapPlatform();
        if (role.RunsModels()) app.MapInference();
        app.MapCluster();
        app.MapAdapters();
        app.MapBatch();
        if (role.FacesTenants())
        {
            app.MapUsage();
            app.MapConsole();
        }
        return app;
    }

    /// <summary>
    /// A failure to start reaches the caller as an exception, which <c>serve</c> prints as one line; the host's own log
    /// of it (an error with the whole stack trace) would say it again, so that category's errors are held back until
    /// the server has started. Its critical lines (a background service stopping the host) still show.
    /// </summary>
    static StrongBox<IHostApplicationLifetime?> HoldBackStartFailureLog(WebApplicationBuilder builder)
    {
        var lifetime = new StrongBox<IHostApplicationLifetime?>();
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host",
            level => level >= LogLevel.Critical || lifetime.Value?.ApplicationStarted.IsCancellationRequested == true);
        return lifetime;
    }

    /// <summary>
    /// Sources, lowest precedence first: appsettings.json beside the executable, <c>--config FILE</c>, environment
    /// variables (<c>Provocapi__DataDirectory</c>), command-line <c>--Section:Key=value</c>, then <c>--data</c> and <c>--role</c>.
    /// </summary>
    static void Configure(WebApplicationBuilder builder, ServeArguments serve)
    {
        if (serve.ConfigFile != null)
        {
            var path = Path.GetFullPath(serve.ConfigFile);
            if (!File.Exists(path)) throw new FileNotFoundException($"--config {serve.ConfigFile}: no such file");
            var sources = builder.Configuration.Sources;
            var afterJson = sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is JsonConfigurationSource).i + 1;
            var file = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
            file.ResolveFileProvider();
            sources.Insert(afterJson, file);
        }
        if (serve.Role != null)
            builder.Configuration.AddInMemoryCollection([new(ClusterRoles.ConfigKey, serve.Role)]);
        if (serve.DataDirectory != null)
            builder.Configuration.AddInMemoryCollection([new("Provocapi:DataDirectory", serve.DataDirectory)]);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
            builder.WebHost.UseUrls(DefaultUrl);
    }
}
