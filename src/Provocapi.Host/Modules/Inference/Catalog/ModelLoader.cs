using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provocapi.Core;
using Provocapi.Core.Embeddings;
using Provocapi.Engine.Models;

namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary>
/// Loads the configured models once the server is up, so <c>/health</c> answers at once and <c>/ready</c> turns
/// true when every model is loaded. A model that fails to load stops the server with a non-zero exit code.
/// </summary>
public sealed class ModelLoader(ModelCatalog catalog, IHostApplicationLifetime lifetime, ILogger<ModelLoader> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        foreach (var model in catalog.Models)
        {
            if (stoppingToken.IsCancellationRequested) return;
            try
            {
                if (model.Kind == ModelKind.Embedding)
                {
                    var embedder = EmbeddingModel.FromEncoderModel(EncoderModel.Load(model.Options.Path, cancellationToken: stoppingToken), EngineOptions(model.Options), model.Id);
                    model.Ready(embedder);
                    logger.LogInformation("embedding model {Id} ready: {Source}, context {Context} tokens, {Dimensions} dimensions, {Pooling} pooling",
                        model.Id, embedder.Model.Source, embedder.ContextLength, embedder.Dimensions, embedder.Model.Config.Pooling);
                    continue;
                }
                model.Ready(Load(model.Options, stoppingToken));
                var engine = model.Engine!;
                logger.LogInformation("model {Id} ready: {Source}, context {Context} tokens", model.Id, engine.Model.Source, engine.ContextLength);
                if (engine.ContextLimitedByKvCache)
                    logger.LogWarning("model {Id}: its KV cache holds only {Context} positions, so requests are limited to that (raise KvCacheBytes, or set KvCacheType F16)",
                        model.Id, engine.ContextLength);
                if (engine.ChatTemplateFallbackReason is { } reason)
                    logger.LogInformation("model {Id}: chat uses ChatML because {Reason}", model.Id, reason);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                model.Fail(e.Message);
                logger.LogCritical("error: model {Id} failed to load: {Reason}", model.Id, e.Message);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }
        }
    }, stoppingToken);

    static ModelOptions EngineOptions(ServedModelOptions options) => new()
    {
        Threads = options.Threads,
        KvCacheBytes = options.KvCacheBytes,
        KvPageSize = options.KvPageSize,
        KvCacheType = options.KvCacheType,
        ContextLength = options.ContextLength,
        MaxRunningSequences = options.MaxRunningSequences,
        StepTokenBudget = options.StepTokenBudget,
        EmbeddingBatchTokens = options.EmbeddingBatchTokens,
        MaxQueueLength = options.MaxQueueLength,
        MaxQueueWait = TimeSpan.FromSeconds(options.MaxQueueWaitSeconds),
    };

    static LoadedModel Load(ServedModelOptions options, CancellationToken cancellationToken)
    {
        var engineOptions = EngineOptions(options);
        LanguageModel network;
        if (options.IsSynthetic)
        {
            var (shape, type) = SyntheticModelPath.Parse(options.Path);
            network = LanguageModel.LoadSynthetic(shape, type, options.Tokenizer!);
        }
        else network = LanguageModel.Load(options.Path, cancellationToken: cancellationToken);
        return LoadedModel.FromLanguageModel(network, engineOptions, options.Id);
    }

    public override void Dispose()
    {
        foreach (var model in catalog.Models)
        {
            model.Engine?.Dispose();
            model.Embedder?.Dispose();
        }
        base.Dispose();
    }
}
