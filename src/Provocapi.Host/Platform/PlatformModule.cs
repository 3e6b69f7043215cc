using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Metrics;
using Provocapi.Host.Platform.Options;
using Provocapi.Host.Server;

namespace Provocapi.Host.Platform;

/// <summary>What every module relies on: server options, JSON conventions, the error envelope, the response headers, health, metrics and the OpenAPI document.</summary>
public static class PlatformModule
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerOptions>>((kestrel, server) =>
            kestrel.Limits.MaxRequestBodySize = server.Value.MaxRequestBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        builder.Services.AddSingleton<JsonBody>();
        builder.Services.AddCheckedOptions<ClusterOptions>(ClusterOptions.Section);
        builder.Services.AddSingleton<ClusterSecret>();
        builder.Services.AddSingleton<NodeIdentity>();
        builder.Services.AddSingleton<PrometheusExporter>();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Provocapi";
            document.Info.Description = "OpenAI-compatible inference API. Every /v1 request needs Authorization: Bearer pk-prov-…; errors are {\"error\": {message, type, code, param}}.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Headers first (so errors carry them too), then the error envelope, then bare statuses given a body.</summary>
    public static WebApplication UsePlatform(this WebApplication app)
    {
        app.UseMiddleware<ResponseHeadersMiddleware>();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseStatusCodePages(context => ApiErrorMiddleware.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            ApiErrorMiddleware.ForBareStatus(context.HttpContext)));
        return app;
    }

    public static WebApplication MapPlatform(this WebApplication app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" }))
            .WithName("health").WithSummary("200 while the process is alive.").WithTags("Health");
        app.MapOpenApi("/openapi.json");
        // Started with the app, so counters run from the first request, not from the first scrape.
        var metrics = app.Services.GetRequiredService<PrometheusExporter>();
        app.MapGet("/metrics", () => TypedResults.Text(metrics.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithName("metrics").WithSummary("Engine metrics in Prometheus' text format: queue, batch, KV pages, prefix-cache hits, tokens, latencies.").WithTags("Health");
        return app;
    }
}
