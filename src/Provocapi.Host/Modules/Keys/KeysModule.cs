using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Provocapi.Host.Modules.Keys.RateLimits;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Options;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Keys;

/// <summary>Tenants, API keys, tiers and rate limits. Keys are managed with <c>provocapi keys</c>; the API only checks them.</summary>
public static class KeysModule
{
    public static WebApplicationBuilder AddKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<TierOptions>(TierOptions.Section);
        builder.Services.AddSingleton<ITierDirectory, TierDirectory>();
        builder.Services.AddSingleton<KeyStore>();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        // One process keeps its buckets in memory; processes sharing a store (Postgres, or a cluster's nodes on one
        // machine's SQLite file) share them there, or each would grant the whole limit.
        var role = builder.Configuration.Role();
        builder.Services.AddSingleton<IRateBuckets>(services => services.GetRequiredService<Database>() is var database && database.IsShared(role)
            ? new StoreRateBuckets(database, services.GetRequiredService<TimeProvider>())
            : new MemoryRateBuckets());
        builder.Services.AddSingleton<TenantRateLimiter>();
        builder.Services.AddSingleton<ITokenRateLimiter>(s => s.GetRequiredService<TenantRateLimiter>());
        return builder;
    }

    public static WebApplication UseKeys(this WebApplication app)
    {
        app.UseMiddleware<ApiKeyMiddleware>();
        return app;
    }
}
