using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Store;

/// <summary>
/// The store, created and migrated before anything else starts: PostgreSQL when <c>Provocapi:Store:Postgres</c> is
/// set, else the embedded SQLite file. The SQLite file is registered either way for what stays local (usage).
/// </summary>
public static class StoreModule
{
    public static WebApplicationBuilder AddStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<StoreOptions>(StoreOptions.Section);
        builder.Services.AddSingleton<SqliteDatabase>();
        builder.Services.AddSingleton<Database>(services =>
            services.GetRequiredService<IOptions<StoreOptions>>().Value is { UsesPostgres: true } options
                ? new PostgresDatabase(options.Postgres)
                : services.GetRequiredService<SqliteDatabase>());
        builder.Services.AddHostedService<StoreMigration>();
        return builder;
    }

    sealed class StoreMigration(Database database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            database.Migrate();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
