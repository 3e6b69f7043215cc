using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.UsageAnalytics.Storage;

namespace Provocapi.Host.Modules.UsageAnalytics.Recording;

/// <summary>
/// Takes usage records off the request path: <see cref="Record"/> only queues (bounded), and a background loop
/// writes them in batches, by count or by time. A failing backend is retried with back-off while records keep
/// queueing; when the queue is full, new records are dropped, with a warning, rather than requests failed.
/// The queue is drained when the host has stopped (after the server finished its requests), so a clean stop
/// loses nothing.
/// </summary>
public sealed class UsageRecorder : IHostedLifecycleService
{
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    readonly IUsageStore _store;
    readonly UsageOptions _options;
    readonly ILogger<UsageRecorder> _logger;
    readonly Channel<UsageRecord> _queue;
    readonly CancellationTokenSource _abandon = new();
    Task _writer = Task.CompletedTask;
    long _dropped;

    public UsageRecorder(IUsageStore store, IOptions<UsageOptions> options, ILogger<UsageRecorder> logger)
    {
        _store = store;
        _options = options.Value;
        _logger = logger;
        _queue = Channel.CreateBounded<UsageRecord>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Queues a record; never blocks and never throws.</summary>
    public void Record(UsageRecord record)
    {
        if (_queue.Writer.TryWrite(record)) return;
        if (Interlocked.Increment(ref _dropped) == 1)
            _logger.LogWarning("usage: the queue of {Capacity} records is full ({Store} is not keeping up); dropping new records until it drains",
                _options.QueueCapacity, _store.Name);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>Drains the queue; the host calls it after every hosted service, the server included, has stopped.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        using var giveUp = cancellationToken.Register(_abandon.Cancel);
        await _writer;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<UsageRecord>(_options.BatchSize);
        while (await reader.WaitToReadAsync())
        {
            // A batch closes when it is full, when the flush interval has passed, or when the queue is completed.
            using (var window = new CancellationTokenSource(_options.FlushMilliseconds))
            {
                try
                {
                    while (true)
                    {
                        while (batch.Count < _options.BatchSize && reader.TryRead(out var record)) batch.Add(record);
                        if (batch.Count >= _options.BatchSize || !await reader.WaitToReadAsync(window.Token)) break;
                    }
                }
                catch (OperationCanceledException) { }
            }
            if (!await WriteAsync(batch))
            {
                _logger.LogError("usage: stopping with {Count} records unwritten: {Store} is unreachable", batch.Count + reader.Count, _store.Name);
                return;
            }
            batch.Clear();
        }
    }

    /// <summary>Writes a batch, retrying until it is written (true) or the host gives up waiting at shutdown (false).</summary>
    async Task<bool> WriteAsync(List<UsageRecord> batch)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var failed = false;
        while (true)
        {
            try
            {
                await _store.WriteAsync(batch, CancellationToken.None);
                if (failed) _logger.LogInformation("usage: {Store} is writable again", _store.Name);
                var dropped = Interlocked.Exchange(ref _dropped, 0);
                if (dropped > 0) _logger.LogWarning("usage: {Dropped} records were dropped while the queue was full", dropped);
                return true;
            }
            catch (Exception e)
            {
                if (_abandon.IsCancellationRequested) return false;
                if (!failed)
                    _logger.LogWarning("usage: cannot write to {Store} ({Message}); keeping up to {Capacity} records queued and retrying",
                        _store.Name, e.Message, _options.QueueCapacity);
                failed = true;
            }
            try { await Task.Delay(backoff, _abandon.Token); }
            catch (OperationCanceledException) { }
            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
        }
    }
}
