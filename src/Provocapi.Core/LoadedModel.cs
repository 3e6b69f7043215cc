using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Templates;
using Provocapi.Core.Generation;
using Provocapi.Core.Scheduling;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;

namespace Provocapi.Core;

/// <summary>
/// A model loaded for in-process use: its weights and tokenizer (immutable, shared) and the machinery that runs
/// it (compute threads, the paged KV cache, the <see cref="GenerationScheduler"/> that batches every caller's
/// sequences into shared forward passes). Generations stream through channels, so callers await text as it is made.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    readonly CpuWorkers _workers;
    readonly KvPagePool _pool;
    int _disposed;

    public LanguageModel Model { get; }
    public ModelOptions Options { get; }
    public string Name { get; }
    /// <summary>The longest sequence served: the model's context, capped by <see cref="ModelOptions.ContextLength"/> and by
    /// what the KV cache holds (as llama.cpp's n_ctx and vLLM's max_model_len are), so a sequence alone never runs out of
    /// cache in the middle of a reply: a longer prompt is refused up front, and a reply stops with <c>length</c>.</summary>
    public int ContextLength { get; }
    /// <summary>True when the KV cache, not the model or the options, set <see cref="ContextLength"/>.</summary>
    public bool ContextLimitedByKvCache { get; }
    public GenerationScheduler Scheduler { get; }
    /// <summary>The model's chat template, parsed; null when chat falls back to ChatML (see <see cref="ChatTemplateFallbackReason"/>).</summary>
    public ChatTemplate? ChatTemplate { get; }
    /// <summary>The model's separate template for requests that offer tools (<c>tool_use</c>), parsed; null when it has none (or it does not parse).</summary>
    public ChatTemplate? ToolUseChatTemplate { get; }
    /// <summary>Why chat uses ChatML instead of the model's template, for the log; null when the template is used.</summary>
    public string? ChatTemplateFallbackReason { get; }

    /// <summary>Total tokens put through the forward pass, prompt and generated (for tests and metrics).</summary>
    public long ForwardTokens => Scheduler.ForwardTokens;

    /// <summary>Generations admitted and not yet finished (for tests, readiness and metrics).</summary>
    public int RunningGenerations => Scheduler.RunningCount;

    LoadedModel(LanguageModel model, ModelOptions options, string name)
    {
        Model = model;
        Options = options;
        Name = name;
        _workers = new CpuWorkers(options.ResolvedThreads);
        _pool = KvPagePool.WithBudget(model.Network.KvShape(options.KvCacheType), options.KvPageSize, options.KvCacheBytes);
        var context = options.ContextLength > 0 ? Math.Min(options.ContextLength, model.Config.ContextLength) : model.Config.ContextLength;
        var cachePositions = (int)Math.Min(int.MaxValue, (long)_pool.PageCount * _pool.PageSize);
        ContextLimitedByKvCache = cachePositions < context;
        ContextLength = Math.Min(context, cachePositions);
        Scheduler = new GenerationScheduler(model.Network, _pool, _workers, options, name);
        if (string.IsNullOrWhiteSpace(model.ChatTemplate)) ChatTemplateFallbackReason = "the model ships no chat template";
        else
        {
            try { ChatTemplate = ChatTemplate.Parse(model.ChatTemplate); }
            catch (ChatTemplateException e) { ChatTemplateFallbackReason = $"its chat template does not parse ({e.Message})"; }
        }
        if (ChatTemplate != null && model.ToolUseChatTemplate is { } toolUse)
        {
            try { ToolUseChatTemplate = ChatTemplate.Parse(toolUse); }
            catch (ChatTemplateException) { ToolUseChatTemplate = null; }
        }
    }

    /// <summary>Wraps an already loaded network (synthetic benchmark models, tests).</summary>
    public static LoadedModel FromLanguageModel(LanguageModel model, ModelOptions? options = null, string? name = null) =>
        new(model, options ?? new ModelOptions(), name ?? Path.GetFileNameWithoutExtension(model.Source));

    /// <summary>Loads a GGUF file or Hugging Face folder off the calling thread, reporting progress from 0 to 1.</summary>
    public static Task<LoadedModel> LoadAsync(string path, ModelOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => FromLanguageModel(LanguageModel.Load(path, progress, cancellationToken), options), cancellationToken);

    /// <summary>
    /// Generates, streaming text pieces; the last chunk carries the result. Cancellation (or leaving the loop)
    /// takes effect at the next step. Throws <see cref="AdmissionRejectedException"/> when the engine cannot take it.
    /// </summary>
    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sequence = new SequenceState(Model, request, _pool, ContextLength);
        ScheduledSequence scheduled;
        try { scheduled = Scheduler.Submit(sequence, request); }
        catch
        {
            sequence.Dispose();
            throw;
        }
        using var registration = cancellationToken.Register(() =>
        {
            scheduled.Cancel();
            Scheduler.Nudge();
        });
        try
        {
            await foreach (var chunk in scheduled.Output.ReadAllAsync(CancellationToken.None))
                yield return chunk;
        }
        finally
        {
            scheduled.Cancel();
            Scheduler.Nudge();
        }
    }

    /// <summary>Generates to the end and returns the result.</summary>
    public async Task<GenerationResult> GenerateTextAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        await foreach (var chunk in GenerateAsync(request, cancellationToken))
            if (chunk.Result != null) return chunk.Result;
        throw new InvalidOperationException("generation ended without a result");
    }

    /// <summary>This model as Microsoft.Extensions.AI's chat client.</summary>
    public IChatClient AsChatClient() => new ProvocapiChatClient(this);

    /// <summary>Unloads the model: generations under way or queued end with <see cref="ObjectDisposedException"/>. A second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Scheduler.Dispose();
        _workers.Dispose();
        _pool.Dispose();
        Model.Dispose();
    }
}
