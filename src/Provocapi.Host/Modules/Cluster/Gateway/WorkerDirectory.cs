using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.Cluster.Registry;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Hosting;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// A gateway's view of the registry, re-read a few times a heartbeat (never per request), plus what only this gateway
/// knows: how many sequences its requests in flight run on each worker's model, and which workers just failed it (left
/// out until their next heartbeat, so one death costs one retry, not one per request until the registry notices). A
/// worker's heartbeat time is its own clock's, so health is judged by when this gateway saw that value change, on its
/// own clock: machines whose clocks disagree by seconds still agree on who is alive.
/// </summary>
public sealed class WorkerDirectory(WorkerRegistry registry, IOptions<ClusterOptions> options, TimeProvider clock, ILogger<WorkerDirectory> logger)
    : BackgroundService
{
    volatile IReadOnlyList<WorkerRecord>? _workers;
    readonly ConcurrentDictionary<(string Worker, string Model), InFlight> _inFlight = new();
    /// <summary>Per worker model, the report it belongs to and how many sequences of this gateway's requests it counted.</summary>
    readonly ConcurrentDictionary<(string Worker, string Model), (long Heartbeat, int Mine)> _mineInReport = new();
    /// <summary>How many refreshes have begun: a request is stamped with it when it starts.</summary>
    long _refreshes;
    readonly ConcurrentDictionary<string, long> _failedAtHeartbeat = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (long Heartbeat, long SeenAt)> _seen = new(StringComparer.Ordinal);

    /// <summary>The registry as last read; empty before the first read.</summary>
    public IReadOnlyList<WorkerRecord> Workers => _workers ?? [];

    /// <summary>Whether the registry has been read at least once.</summary>
    public bool IsLoaded => _workers != null;

    public long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Not stopped, its heartbeat seen to change within the worker timeout, and not failed since its last one.</summary>
    public bool IsUsable(WorkerRecord worker) =>
        worker.StoppedAt == null
        && _seen.TryGetValue(worker.Id, out var seen) && Now - seen.SeenAt <= (long)options.Value.WorkerTimeout.TotalMilliseconds
        && !(_failedAtHeartbeat.TryGetValue(worker.Id, out var failed) && failed >= worker.HeartbeatAt);

    /// <summary>The workers a request may go to now (<see cref="IsUsable"/>).</summary>
    public IEnumerable<WorkerRecord> Usable => Workers.Where(IsUsable);

    /// <summary>
    /// Counts a request's <paramref name="sequences"/> (n choices of each prompt, as workers count them in their
    /// reports) on the worker's model until the returned scope ends.
    /// </summary>
    public IDisposable Enter(string workerId, string modelId, int sequences)
    {
        var requests = _inFlight.GetOrAdd((workerId, modelId), _ => new InFlight());
        var startedIn = Interlocked.Read(ref _refreshes);
        requests.Enter(startedIn, sequences);
        return new Leave(() => requests.Leave(startedIn, sequences));
    }

    /// <summary>
    /// The sequences queued and running on the worker's model: what its last report says, less those of this gateway's
    /// requests that report certainly counted, plus those of its requests in flight now. So a gateway's own requests count
    /// once, as they are now, and everyone else's as last reported. "Certainly": still in flight, and started before the
    /// refresh ahead of the one that saw the report, so before the worker wrote it. Those started later may be counted
    /// twice until the next report: erring towards a busier look, which spreads a burst rather than piling it up.
    /// </summary>
    public long Load(WorkerRecord worker, WorkerModel model)
    {
        var reported = (long)model.QueueLength + model.Running;
        // A record older than the count (a refresh ran meanwhile) subtracts nothing: busier, again.
        var mine = _mineInReport.TryGetValue((worker.Id, model.Id), out var counted) && counted.Heartbeat == worker.HeartbeatAt ? counted.Mine : 0;
        var now = _inFlight.TryGetValue((worker.Id, model.Id), out var requests) ? requests.Count : 0;
        return Math.Max(0, reported - mine) + now;
    }

    /// <summary>The worker could not be reached or broke a request: no more work until it reports again.</summary>
    public void Failed(WorkerRecord worker) => _failedAtHeartbeat[worker.Id] = worker.HeartbeatAt;

    /// <summary>Rows of workers silent this long are deleted: their models are gone for good, so they become unknown (404), not unserved (503).</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    long _prunedAt;

    /// <summary>Re-reads the registry, first (every ten minutes at most) forgetting workers silent for <see cref="ForgetAfter"/>.</summary>
    public void Refresh()
    {
        var now = Now;
        if (now - _prunedAt >= (long)TimeSpan.FromMinutes(10).TotalMilliseconds)
        {
            registry.Prune(now - (long)ForgetAfter.TotalMilliseconds);
            _prunedAt = now;
        }
        // Requests stamped before the refresh ahead of this one started before any report this refresh sees for the first time.
        var certainBefore = Interlocked.Increment(ref _refreshes) - 1;
        var workers = registry.All();
        // A row seen for the first time counts from its own heartbeat time (never from the future), so a gateway
        // starting next to a dead worker's row does not take it for alive.
        foreach (var worker in workers)
        {
            var isNewReport = !_seen.TryGetValue(worker.Id, out var last) || last.Heartbeat != worker.HeartbeatAt;
            _seen.AddOrUpdate(worker.Id, (worker.HeartbeatAt, Math.Min(now, worker.HeartbeatAt)),
                (_, seen) => seen.Heartbeat == worker.HeartbeatAt ? seen : (worker.HeartbeatAt, now));
            if (!isNewReport) continue;
            foreach (var model in worker.Models)
                _mineInReport[(worker.Id, model.Id)] =
                    (worker.HeartbeatAt, _inFlight.TryGetValue((worker.Id, model.Id), out var requests) ? requests.StartedBefore(certainBefore) : 0);
        }
        Forget(workers);
        _workers = workers;
    }

    /// <summary>
    /// Drops what this gateway remembers of worker models no longer in the registry (pruned workers, models unloaded),
    /// so a long-lived gateway does not grow with worker churn. Counts of requests still in flight stay until they end:
    /// the entry goes at a later refresh.
    /// </summary>
    void Forget(IReadOnlyList<WorkerRecord> workers)
    {
        var ids = workers.Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        var models = workers.SelectMany(w => w.Models.Select(m => (w.Id, m.Id))).ToHashSet();
        foreach (var id in _seen.Keys.Where(id => !ids.Contains(id))) _seen.TryRemove(id, out _);
        foreach (var id in _failedAtHeartbeat.Keys.Where(id => !ids.Contains(id))) _failedAtHeartbeat.TryRemove(id, out _);
        foreach (var key in _mineInReport.Keys.Where(key => !models.Contains(key))) _mineInReport.TryRemove(key, out _);
        // A request entering between the count and the removal counts on a detached entry: for a worker model
        // the registry no longer lists, so no routing decision reads it.
        foreach (var (key, requests) in _inFlight)
            if (!models.Contains(key) && requests.Count == 0) _inFlight.TryRemove(key, out _);
    }

    /// <summary>What this gateway keeps state for: worker ids, and "worker/model" for worker models (tests check it forgets).</summary>
    internal IEnumerable<string> Remembered =>
        _seen.Keys.Concat(_failedAtHeartbeat.Keys)
            .Concat(_mineInReport.Keys.Concat(_inFlight.Keys).Select(k => $"{k.Worker}/{k.Model}"))
            .Distinct().Order(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Min(options.Value.HeartbeatInterval.Ticks / 2, TimeSpan.FromMilliseconds(500).Ticks));
        await PeriodicWork.RunAsync(interval, clock, firstAtOnce: true, Refresh,
            e => logger.LogWarning(e, "could not read the worker registry; routing on the last view"), stoppingToken);
    }

    /// <summary>The sequences of this gateway's requests in flight on one worker's model, by the refresh count when each started.</summary>
    sealed class InFlight
    {
        readonly Lock _lock = new();
        readonly Dictionary<long, int> _byStart = [];

        public int Count
        {
            get
            {
                lock (_lock) return _byStart.Values.Sum();
            }
        }

        public void Enter(long startedIn, int sequences)
        {
            lock (_lock) _byStart[startedIn] = _byStart.GetValueOrDefault(startedIn) + sequences;
        }

        public void Leave(long startedIn, int sequences)
        {
            lock (_lock)
                if ((_byStart[startedIn] -= sequences) == 0) _byStart.Remove(startedIn);
        }

        public int StartedBefore(long refreshes)
        {
            lock (_lock) return _byStart.Where(e => e.Key < refreshes).Sum(e => e.Value);
        }
    }

    sealed class Leave(Action leave) : IDisposable
    {
        int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) leave();
        }
    }
}
