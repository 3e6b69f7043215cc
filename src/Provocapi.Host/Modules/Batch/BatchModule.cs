using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Provocapi.Host.Modules.Batch.Cancel;
using Provocapi.Host.Modules.Batch.Create;
using Provocapi.Host.Modules.Batch.Get;
using Provocapi.Host.Modules.Batch.List;
using Provocapi.Host.Modules.Batch.Output;
using Provocapi.Host.Modules.Batch.Running;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Modules.Batch;

/// <summary>
/// Durable JSONL batch jobs: submitted over the API, stored line by line, run through the shared scheduler at batch
/// priority. By role: gateways take the API and supervise jobs; workers run lines; the lone process does both.
/// </summary>
public static class BatchModule
{
    public static WebApplicationBuilder AddBatch(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration.Role();
        builder.Services.AddCheckedOptions<BatchOptions>(BatchOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BatchStore>();
        if (role.RunsModels())
        {
            builder.Services.AddSingleton<LineDispatcher>();
            builder.Services.AddSingleton<BatchLineRunner>();
            builder.Services.AddHostedService(s => s.GetRequiredService<BatchLineRunner>());
        }
        if (role.FacesTenants())
        {
            builder.Services.AddSingleton<BatchFileValidator>();
            builder.Services.AddSingleton<BatchSupervisor>();
            builder.Services.AddHostedService(s => s.GetRequiredService<BatchSupervisor>());
        }
        return builder;
    }

    /// <summary>The batch API, on the nodes that face tenants.</summary>
    public static WebApplication MapBatch(this WebApplication app)
    {
        if (!app.Configuration.Role().FacesTenants()) return app;
        var v1 = app.MapGroup("/v1").WithTags("Batch");
        v1.MapCreateBatch();
        v1.MapListBatches();
        v1.MapGetBatch();
        v1.MapBatchOutput();
        v1.MapCancelBatch();
        return app;
    }
}
