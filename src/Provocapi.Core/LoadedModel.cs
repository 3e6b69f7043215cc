using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Provocapi.Core.Chat;
using Provocapi.Core.Generation;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;

namespace Provocapi.Core;

/// <summary>
/// A model loaded for in-process use: its weights and tokenizer (immutable, shared) and the machinery that runs
/// it (compute threads, the paged KV cache). Generations run one at a time on a compute thread and stream
/// through a channel, so callers await text as it is made.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    readonly CpuWorkers _workers;
    readonly KvPagePool _pool;
    readonly ForwardScratch _scratch = new();
    readonly ForwardBatch _batch = new();
    readonly SemaphoreSlim _running = new(1, 1);

    public LanguageModel Model { get; }
    public ModelOptions Options { get; }
    public string Name { get; }
    public int ContextLength { get; }

    /// <summary>Total tokens put through the forward pass, prompt and generated (for tests and metrics).</summary>
    public long ForwardTokens => Interlocked.Read(ref _forwardTokens);
    long _forwardTokens;

    /// <summary>Generations admitted and not yet finished (for tests, readiness and metrics).</summary>
    public int RunningGenerations => Volatile.Read(ref _runningGenerations);
    int _runningGenerations;

    LoadedModel(LanguageModel model, ModelOptions options, string name)
    {
        Model = model;
        Options = options;
        Name = name;
        ContextLength = options.ContextLength > 0 ? Math.Min(options.ContextLength, model.Config.ContextLength) : model.Config.ContextLength;
        _workers = new CpuWorkers(options.ResolvedThreads);
        _pool = KvPagePool.WithBudget(model.Network.KvShape, options.KvPageSize, options.KvCacheBytes);
    }

    /// <summary>Wraps an already loaded network (synthetic benchmark models, tests).</summary>
    public static LoadedModel FromLanguageModel(LanguageModel model, ModelOptions? options = null, string? name = null) =>
        new(model, options ?? new ModelOptions(), name ?? Path.GetFileNameWithoutExtension(model.Source));

    /// <summary>Loads a GGUF file or Hugging Face folder off the calling thread, reporting progress from 0 to 1.</summary>
    public static Task<LoadedModel> LoadAsync(string path, ModelOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => FromLanguageModel(LanguageModel.Load(path, progress, cancellationToken), options), cancellationToken);

    /// <summary>
    /// Generates, streaming text pieces; the last chunk carries the result. Cancellation is honoured between tokens.
    /// The stream is bounded, so the engine runs at most a token or two ahead of a slow reader.
    /// </summary>
    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sequence = new SequenceState(Model, request, _pool, ContextLength);
        var channel = Channel.CreateBounded<GenerationChunk>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var arrived = Stopwatch.GetTimestamp();
        try { await _running.WaitAsync(cancellationToken); }
        catch
        {
            sequence.Dispose();
            throw;
        }
        sequence.QueueTime = Stopwatch.GetElapsedTime(arrived);
        Interlocked.Increment(ref _runningGenerations);
        // Cancelled when the reader goes away, so the compute thread never waits on a stream nobody reads.
        using var readerGone = new CancellationTokenSource();
        var compute = Task.Factory.StartNew(() => Run(sequence, channel.Writer, cancellationToken, readerGone.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync(CancellationToken.None))
                yield return chunk;
        }
        finally
        {
            readerGone.Cancel();
            await compute;
            Interlocked.Decrement(ref _runningGenerations);
            _running.Release();
            sequence.Dispose();
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

    void Run(SequenceState sequence, ChannelWriter<GenerationChunk> output, CancellationToken cancellationToken, CancellationToken readerGone)
    {
        try
        {
            while (sequence.Finished is null && !readerGone.IsCancellationRequested)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Write(output, new GenerationChunk("", null, sequence.Cancel()) { QueueTime = sequence.QueueTime }, readerGone);
                    break;
                }
                _batch.Clear();
                if (sequence.IsPrefilling)
                {
                    var start = sequence.Prefilled;
                    var chunk = sequence.TakePrefill(Options.PrefillChunk);
                    _batch.AddRange(chunk, start, sequence.Cache, logitsForLast: !sequence.IsPrefilling);
                }
                else _batch.Add(sequence.LastToken, sequence.Position, sequence.Cache, wantLogits: true);
                var logits = Model.Network.Forward(_batch, _scratch, _workers);
                Interlocked.Add(ref _forwardTokens, _batch.Count);
                if (!sequence.IsPrefilling && _batch.LogitTokens.Count > 0)
                    Write(output, sequence.Accept(logits), readerGone);
            }
            output.TryComplete();
        }
        catch (Exception e)
        {
            output.TryComplete(e);
        }
    }

    static void Write(ChannelWriter<GenerationChunk> output, GenerationChunk chunk, CancellationToken readerGone)
    {
        try { output.WriteAsync(chunk, readerGone).AsTask().GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { }
    }

    public void Dispose()
    {
        _workers.Dispose();
        _pool.Dispose();
        Model.Dispose();
        _running.Dispose();
    }
}
