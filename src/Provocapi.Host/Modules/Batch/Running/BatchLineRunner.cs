using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Hosting;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>
/// Runs batch lines, on workers and in the lone process: claims lines with leases (a bounded number at once), runs
/// each through <see cref="LineDispatcher"/> at batch priority, so the scheduler batches them and interactive requests
/// go first, renews the leases while they run, and stores each result as it comes. A worker claims only lines for the
/// models it has ready. A runner killed mid-line loses its leases when they pass and other runners take its lines;
/// whichever holds a line when it ends records it, so it counts once. A lone process (role <c>all</c> on SQLite) has no
/// one to wait for: at start it puts back what its predecessor left running at once.
/// </summary>
public sealed class BatchLineRunner(
    BatchStore store,
    LineDispatcher dispatcher,
    ITierDirectory tiers,
    IServedModelReport served,
    Database database,
    IOptions<ClusterOptions> cluster,
    IOptions<BatchOptions> options,
    TimeProvider clock,
    ILogger<BatchLineRunner> logger) : BackgroundService
{
    /// <summary>A line that keeps finding the engine full is recorded with that error after this many tries.</summary>
    public const int MaxAttempts = 20;

    readonly ConcurrentDictionary<(string Job, long Line), Run> _running = new();
    readonly PollLoop _loop = new();
    readonly ClusterRole _role = ClusterRoles.Parse(cluster.Value.Role);

    /// <summary>One claim of a line; a line released and claimed again is a new run, so each removes only its own entry.</summary>
    sealed class Run(ClaimedLine line)
    {
        public ClaimedLine Line { get; } = line;
        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>Asks the loop to claim now (a job started, a slot freed) instead of at its next poll.</summary>
    public void Wake() => _loop.Wake();

    long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    TimeSpan Lease => options.Value.LeaseDuration;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsShared(_role))
        {
            var reset = store.ResetRunning();
            if (reset > 0) logger.LogInformation("{Lines} batch lines left running by the last process will run again", reset);
        }
        var renewing = RenewAsync(stoppingToken);
        await _loop.RunAsync(options.Value.PollInterval, () => Step(stoppingToken), e => logger.LogError(e, "batch line runner step failed; retrying"), stoppingToken);
        await Task.WhenAll(_running.Values.Select(r => r.Task).Append(renewing)).ContinueWith(_ => { }, CancellationToken.None);
    }

    void Step(CancellationToken stoppingToken)
    {
        var free = options.Value.MaxConcurrentLines - _running.Count;
        if (free <= 0) return;
        IReadOnlyCollection<ClaimableModel>? models = null;
        if (_role == ClusterRole.Worker)
        {
            models = served.ReadyModels().SelectMany(m => m.Aliases.Prepend(m.Id).Select(name => new ClaimableModel(name, m.Tenants))).ToList();
            if (models.Count == 0) return;
        }
        foreach (var line in store.Claim(free, clock.GetUtcNow(), Lease, models))
        {
            // Registered before it starts, so its own removal at the end always finds it.
            var run = new Run(line);
            var start = new Task<Task>(() => RunAsync(run, stoppingToken));
            run.Task = start.Unwrap();
            _running[(line.JobId, line.Line)] = run;
            start.Start(TaskScheduler.Default);
        }
    }

    /// <summary>Every third of the lease, extends the leases of the lines running here, so none passes while its line runs.</summary>
    Task RenewAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(Lease / 3, clock, firstAtOnce: false, Renew,
            e => logger.LogWarning(e, "could not renew batch line leases; trying again in {Interval}", Lease / 3), stoppingToken);

    void Renew()
    {
        var lines = _running.Values.Select(r => r.Line).ToList();
        var renewed = store.Renew(lines, clock.GetUtcNow() + Lease);
        if (renewed < lines.Count)
            logger.LogWarning("{Lost} batch line leases passed before renewal; other runners may have taken those lines", lines.Count - renewed);
    }

    async Task RunAsync(Run run, CancellationToken stoppingToken)
    {
        var line = run.Line;
        var released = false;
        try
        {
            var result = await dispatcher.RunAsync(line, BatchCaller.Of(tiers, line.TenantId, line.TenantName, line.Tier, line.KeyId), stoppingToken);
            // No room in the engine now: not the line's fault, so it waits for a later turn, backing off, a bounded number of times.
            if (result.StatusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests && line.Attempt < MaxAttempts)
            {
                store.Release(line, Now + Backoff(line.Attempt));
                released = true;
            }
            else if (!store.Finish(line, result, Now))
                logger.LogInformation("batch {Job} line {Line} ended after its lease passed; the runner that took it over records it", line.JobId, line.Line);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the line goes back to pending for another runner now rather than when its lease passes.
            try { store.Release(line, Now); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "batch {Job} line {Line} could not be put back; it runs again once its lease passes", line.JobId, line.Line);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "batch {Job} line {Line} could not run", line.JobId, line.Line);
            if (line.Attempt < MaxAttempts)
            {
                store.Release(line, Now + Backoff(line.Attempt));
                released = true;
            }
            else store.Finish(line, new LineResult(StatusCodes.Status500InternalServerError, "", "{}", "server_error", "the line could not be run"), Now);
        }
        finally
        {
            _running.TryRemove(KeyValuePair.Create((line.JobId, line.Line), run));
            // A finished line frees a slot for the next one now; a released one waits for its backoff.
            if (!released) Wake();
        }
    }

    /// <summary>Seconds before a line the engine had no room for is tried again: 1, 2, 4, ... up to a minute.</summary>
    static long Backoff(long attempt) => Math.Min(60, 1L << (int)Math.Min(attempt - 1, 6));
}
