using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Provocapi.Host.Store;

/// <summary>The embedded SQLite store, created and migrated before anything else starts.</summary>
public static class StoreModule
{
    public static WebApplicationBuilder AddStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SqliteStore>();
        builder.Services.AddHostedService<StoreMigration>();
        return builder;
    }

    sealed class StoreMigration(SqliteStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            store.Migrate();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
