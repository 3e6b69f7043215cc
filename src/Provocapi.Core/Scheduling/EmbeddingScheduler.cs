using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models;

namespace Provocapi.Core.Scheduling;

/// <summary>
/// The engine loop of one embedding model. Inputs from every caller wait in one queue in arrival order; each step the
/// loop takes inputs up to <see cref="ModelOptions.EmbeddingBatchTokens"/> tokens and encodes them in one batched
/// forward pass on the model's CPU workers (<see cref="Bert.Encode"/> packs the sequences, so no compute is spent on
/// padding), then hands each input's vector back to its caller. A request's vectors come back in its input order
/// whatever batches they ran in.
/// </summary>
public sealed class EmbeddingScheduler : IDisposable
{
    readonly Bert _network;
    readonly CpuWorkers _workers;
    readonly ModelOptions _options;
    readonly EncoderScratch _scratch = new();
    readonly Lock _lock = new();
    readonly Queue<PendingInput> _queue = new();
    readonly SemaphoreSlim _wake = new(0);
    readonly Thread _loop;
    readonly List<PendingInput> _batch = [];
    int _waitingRequests;
    long _batches;
    long _encodedTokens;
    volatile bool _stopping;

    public EmbeddingScheduler(Bert network, CpuWorkers workers, ModelOptions options, string modelName)
    {
        _network = network;
        _workers = workers;
        _options = options;
        _loop = new Thread(Loop) { IsBackground = true, Name = $"provocapi embeddings: {modelName}" };
        _loop.Start();
    }

    /// <summary>Forward passes run so far (for tests and benchmarks: fewer than inputs means they were batched).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Tokens encoded so far.</summary>
    public long EncodedTokens => Interlocked.Read(ref _encodedTokens);

    /// <summary>Requests with inputs still queued or running.</summary>
    public int WaitingRequests => Volatile.Read(ref _waitingRequests);

    /// <summary>Queues one request's inputs (token ids, each within the model's context) and returns their vectors in input order.</summary>
    /// <exception cref="AdmissionRejectedException">Already <see cref="ModelOptions.MaxQueueLength"/> requests are waiting.</exception>
    public async Task<float[][]> EncodeAsync(IReadOnlyList<ReadOnlyMemory<int>> inputs, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (inputs.Count == 0) return [];
        var pending = inputs.Select(tokens => new PendingInput(tokens)).ToArray();
        lock (_lock)
        {
            if (_stopping) throw new ObjectDisposedException(nameof(EmbeddingScheduler));
            if (_waitingRequests >= _options.MaxQueueLength)
                throw new AdmissionRejectedException(AdmissionRejection.NoCapacity, $"the queue is full ({_waitingRequests} requests waiting)", TimeSpan.FromSeconds(2));
            Interlocked.Increment(ref _waitingRequests);
            foreach (var input in pending) _queue.Enqueue(input);
        }
        _wake.Release();
        // A cancelled request's inputs are dropped when the loop reaches them.
        using var registration = cancellationToken.Register(() =>
        {
            foreach (var input in pending) input.Result.TrySetCanceled(cancellationToken);
        });
        try
        {
            return await Task.WhenAll(pending.Select(p => p.Result.Task));
        }
        finally
        {
            Interlocked.Decrement(ref _waitingRequests);
        }
    }

    void Loop()
    {
        while (!_stopping)
        {
            if (!TakeBatch())
            {
                _wake.Wait(100);
                continue;
            }
            try
            {
                var d = _network.Config.EmbeddingDim;
                var output = new float[_batch.Count * d];
                _network.Encode(_batch.Select(p => p.Tokens).ToArray(), output, _scratch, _workers);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _encodedTokens, _batch.Sum(p => p.Tokens.Length));
                for (var i = 0; i < _batch.Count; i++) _batch[i].Result.TrySetResult(output.AsSpan(i * d, d).ToArray());
            }
            catch (Exception e)
            {
                foreach (var input in _batch) input.Result.TrySetException(e);
            }
        }
        lock (_lock)
            while (_queue.TryDequeue(out var input)) input.Result.TrySetException(new ObjectDisposedException(nameof(EmbeddingScheduler)));
    }

    /// <summary>Inputs in arrival order up to the token budget (always at least one, so an input as long as the context still runs).</summary>
    bool TakeBatch()
    {
        _batch.Clear();
        var tokens = 0;
        lock (_lock)
        {
            while (_queue.TryPeek(out var next))
            {
                if (next.Result.Task.IsCompleted)
                {
                    _queue.Dequeue();
                    continue;
                }
                if (_batch.Count > 0 && tokens + next.Tokens.Length > _options.EmbeddingBatchTokens) break;
                _batch.Add(_queue.Dequeue());
                tokens += next.Tokens.Length;
            }
        }
        return _batch.Count > 0;
    }

    public void Dispose()
    {
        lock (_lock) _stopping = true;
        _wake.Release();
        _loop.Join();
        _wake.Dispose();
    }

    sealed class PendingInput(ReadOnlyMemory<int> tokens)
    {
        public ReadOnlyMemory<int> Tokens { get; } = tokens;
        public TaskCompletionSource<float[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
