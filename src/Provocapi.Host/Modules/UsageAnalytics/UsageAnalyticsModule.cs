using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Modules.UsageAnalytics.Report;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Metering;
using Provocapi.Host.Platform.Options;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.UsageAnalytics;

/// <summary>
/// Usage analytics: a row per metered request, buffered and written in batches to SQLite (the default) or
/// ClickHouse, and <c>GET /v1/usage</c> over them.
/// </summary>
public static class UsageAnalyticsModule
{
    public static WebApplicationBuilder AddUsage(this WebApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<UsageOptions>(UsageOptions.Section);
        var clustered = builder.Configuration.Role() != ClusterRole.All;
        builder.Services.AddSingleton<IUsageStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<UsageOptions>>().Value;
            if (options.Backend == UsageBackend.ClickHouse)
                return new ClickHouseUsageStore(options.ClickHouse, new HttpClient { Timeout = TimeSpan.FromSeconds(30) });
            // Each node's file holds only what that node recorded: a gateway's /v1/usage would miss the others' requests
            // and the batch lines workers ran.
            if (clustered)
                services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UsageAnalyticsModule)).LogWarning(
                    "usage is recorded in this node's SQLite file, so /v1/usage sees only this node's records; set Provocapi:Usage:Backend to ClickHouse in a cluster");
            return new SqliteUsageStore(services.GetRequiredService<SqliteDatabase>());
        });
        builder.Services.AddSingleton<UsageRecorder>();
        builder.Services.AddSingleton<IRequestRecorder, UsageRequestRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UsageRecorder>());
        return builder;
    }

    /// <summary>After the API-key middleware, so the caller is known, and around the endpoints, so their latency and status are.</summary>
    public static WebApplication UseUsage(this WebApplication app)
    {
        app.UseMiddleware<UsageMiddleware>();
        return app;
    }

    public static WebApplication MapUsage(this WebApplication app)
    {
        app.MapGroup("/v1").WithTags("Usage").MapUsageReport();
        return app;
    }
}
