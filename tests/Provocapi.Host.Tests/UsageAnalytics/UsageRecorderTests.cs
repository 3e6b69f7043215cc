using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.UsageAnalytics;
using Provocapi.Host.Modules.UsageAnalytics.Recording;
using Provocapi.Host.Modules.UsageAnalytics.Storage;

namespace Provocapi.Host.Tests.UsageAnalytics;

/// <summary>The recorder over a real SQLite store behind a backend that goes away, or stalls, for a while.</summary>
public sealed class UsageRecorderTests
{
    static readonly DateOnly Day = new(2025, 6, 1);

    /// <summary>A SQLite store whose writes fail while <see cref="Failing"/> and wait while <see cref="Gate"/> is closed.</summary>
    sealed class UnreliableStore(IUsageStore inner) : IUsageStore
    {
        public volatile bool Failing;
        public int Attempts;
        public readonly SemaphoreSlim Gate = new(1);

        public string Name => "unreliable " + inner.Name;
        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public async Task WriteAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            await Gate.WaitAsync(cancellationToken);
            try
            {
                if (Failing) throw new HttpRequestException("connection refused");
                await inner.WriteAsync(records, cancellationToken);
            }
            finally { Gate.Release(); }
        }

        public Task<IReadOnlyList<UsageDay>> QueryAsync(UsageQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);
    }

    static UsageRecord Row(string tenant, int i) => new(new DateTimeOffset(2025, 6, 1, 8, 0, i % 60, TimeSpan.Zero), $"req_{i}", tenant, "key_1", "m", null,
        "/v1/completions", 1, 1, 10 + i, null, 0, 200, false, 0);

    static async Task<long> CountAsync(IUsageStore store, string tenant) =>
        (await store.QueryAsync(new UsageQuery(tenant, Day, Day), CancellationToken.None)).Sum(d => d.Requests);

    [Fact]
    public async Task Records_wait_out_a_backend_outage_and_are_all_written()
    {
        var store = new UnreliableStore(await UsageBackends.CreateAsync("sqlite")) { Failing = true };
        var recorder = new UsageRecorder(store, Options.Create(new UsageOptions { BatchSize = 10, FlushMilliseconds = 10 }), NullLogger<UsageRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);
        for (var i = 0; i < 50; i++) recorder.Record(Row("t", i));
        while (Volatile.Read(ref store.Attempts) < 3) await Task.Delay(10);
        Assert.Equal(0, await CountAsync(store, "t"));

        store.Failing = false;
        for (var i = 50; i < 80; i++) recorder.Record(Row("t", i));
        await recorder.StoppedAsync(CancellationToken.None);

        Assert.Equal(80, await CountAsync(store, "t"));
    }

    [Fact]
    public async Task A_full_queue_drops_new_records_without_blocking_the_caller()
    {
        var store = new UnreliableStore(await UsageBackends.CreateAsync("sqlite"));
        var recorder = new UsageRecorder(store, Options.Create(new UsageOptions { BatchSize = 5, QueueCapacity = 5, FlushMilliseconds = 1 }), NullLogger<UsageRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);
        await store.Gate.WaitAsync();
        recorder.Record(Row("t", 0));
        while (Volatile.Read(ref store.Attempts) < 1) await Task.Delay(5);
        // The writer holds record 0 in its stalled batch; the queue takes 5 more, and the rest are dropped at once.
        var timer = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i < 100; i++) recorder.Record(Row("t", i));
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(5));
        store.Gate.Release();
        await recorder.StoppedAsync(CancellationToken.None);

        Assert.Equal(6, await CountAsync(store, "t"));
    }

    [Fact]
    public async Task Stopping_gives_up_on_a_dead_backend_when_the_host_stops_waiting()
    {
        var store = new UnreliableStore(await UsageBackends.CreateAsync("sqlite")) { Failing = true };
        var recorder = new UsageRecorder(store, Options.Create(new UsageOptions { BatchSize = 10, FlushMilliseconds = 10 }), NullLogger<UsageRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);
        recorder.Record(Row("t", 1));
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await recorder.StoppedAsync(shutdown.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, await CountAsync(store, "t"));
    }
}
