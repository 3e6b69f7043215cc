using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Provocapi.Host.Modules.Cluster.Gateway;
using Provocapi.Host.Modules.Cluster.Registry;
using Provocapi.Host.Modules.Cluster.Worker;
using Provocapi.Host.Platform.Batch;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Cluster;

/// <summary>
/// Gateways and workers sharing one store. A worker reports itself in the registry and serves only requests that
/// carry the cluster secret; a gateway routes each inference request to a healthy worker that serves its model.
/// Nothing here runs in the <c>all</c> role.
/// </summary>
public static class ClusterModule
{
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration.Role();
        if (role == ClusterRole.All) return builder;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WorkerRegistry>();
        if (role == ClusterRole.Worker)
        {
            builder.Services.AddHostedService<WorkerHeartbeat>();
            builder.Services.AddSingleton<RoutedUsageLedger>();
        }
        else
        {
            builder.Services.AddSingleton<WorkerDirectory>();
            builder.Services.AddHostedService(s => s.GetRequiredService<WorkerDirectory>());
            builder.Services.AddSingleton<WorkerRouter>();
            builder.Services.AddSingleton<IModelDirectory, ReportedModelDirectory>();
            builder.Services.AddSingleton<IHealthyWorkers, HealthyWorkerList>();
            builder.Services.AddSingleton<IBatchRequestValidator, RoutedBatchRequestValidator>();
            builder.Services.AddSingleton(s => new WorkerProxy(WorkerClient(), s.GetRequiredService<WorkerRouter>(), s.GetRequiredService<WorkerDirectory>(),
                s.GetRequiredService<ClusterSecret>(), s.GetRequiredService<ILogger<WorkerProxy>>()));
        }
        return builder;
    }

    /// <summary>On a worker: the secret and the routed caller, in place of tenants' API keys.</summary>
    public static WebApplication UseCluster(this WebApplication app)
    {
        if (app.Configuration.Role() == ClusterRole.Worker) app.UseMiddleware<RoutedCallerMiddleware>();
        return app;
    }

    /// <summary>On a gateway: the routed inference API and readiness. On a worker: what routed attempts used.</summary>
    public static WebApplication MapCluster(this WebApplication app)
    {
        var role = app.Configuration.Role();
        if (role == ClusterRole.Worker) app.MapRoutedUsage();
        if (role != ClusterRole.Gateway) return app;
        app.MapGroup("/v1").WithTags("Inference").MapRoutedInference();
        app.MapGet("/ready", (WorkerDirectory directory) => directory.IsLoaded
                ? Results.Ok(new { status = "ready", workers = directory.Usable.Count(w => w.Models.Count > 0) })
                : Results.Json(new ErrorResponse(new ApiError("The worker registry has not been read yet.", "server_error", "not_ready")), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("ready").WithSummary("200 once the gateway has read the worker registry, 503 before; workers counts those that serve a model now.").WithTags("Health")
            .Produces(StatusCodes.Status200OK).Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>
    /// One pooled client for all workers: no proxy, no decompression, a short connect timeout (a dead worker must fail
    /// fast to be retried elsewhere) and no overall timeout (streams last as long as generation does; the client's
    /// going away cancels them).
    /// </summary>
    static HttpClient WorkerClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
