using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.ChatCompletions;
using Provocapi.Host.Modules.Inference.Completions;
using Provocapi.Host.Modules.Inference.Embeddings;
using Provocapi.Host.Modules.Inference.ModelList;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Batch;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Inference;

/// <summary>The models this process serves and the OpenAI endpoints over them: chat, completions, embeddings, models, and readiness.</summary>
public static class InferenceModule
{
    public static WebApplicationBuilder AddInference(this WebApplicationBuilder builder, IReadOnlyList<(string Id, string Path)> commandLineModels)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .Configure<IConfiguration>((options, configuration) => options.Models.AddRange(ConfiguredModels(configuration)))
            .PostConfigure(options => UseCommandLineModels(options, commandLineModels))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<IBatchRequestValidator, BatchRequestValidator>();
        builder.Services.AddSingleton<IModelDirectory>(s => s.GetRequiredService<ModelCatalog>());
        builder.Services.AddSingleton<IServedModelReport, ServedModelReport>();
        builder.Services.AddHostedService<ModelLoader>();
        return builder;
    }

    public static WebApplication MapInference(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Inference");
        v1.MapChatCompletions();
        v1.MapCompletions();
        v1.MapEmbeddings();
        v1.MapModelList();
        app.MapGet("/ready", (ModelCatalog catalog) => catalog.AllReady
                ? Results.Ok(new { status = "ready", models = catalog.Models.Select(m => m.Id) })
                : Results.Json(new ErrorResponse(new ApiError("Models are still loading.", "server_error", "not_ready")), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("ready").WithSummary("200 once every configured model is loaded, 503 before.").WithTags("Health")
            .Produces(StatusCodes.Status200OK).Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>
    /// Each <c>Provocapi:Models:N</c> bound on its own, so that a value that does not convert or a misspelt setting
    /// stops start-up: binding the whole list, the configuration binder drops such an entry without a word, and the
    /// server came up serving the demo model instead of the one configured.
    /// </summary>
    static IEnumerable<ServedModelOptions> ConfiguredModels(IConfiguration configuration) =>
        configuration.GetSection("Provocapi:Models").GetChildren()
            .Select(entry => entry.Get<ServedModelOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new ServedModelOptions());

    /// <summary>
    /// <c>--model ID=PATH</c> flags replace the configured list's entries of the same id or add to it; with no model
    /// anywhere, the demo model shipped beside the executable is served.
    /// </summary>
    static void UseCommandLineModels(InferenceOptions options, IReadOnlyList<(string Id, string Path)> commandLineModels)
    {
        foreach (var (id, path) in commandLineModels)
        {
            options.Models.RemoveAll(m => m.Id == id);
            options.Models.Add(new ServedModelOptions { Id = id, Path = path });
        }
        if (options.Models.Count == 0) options.Models.Add(DemoModel.Options());
    }
}
