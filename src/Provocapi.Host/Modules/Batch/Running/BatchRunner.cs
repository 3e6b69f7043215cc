using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>
/// Works the jobs: validates new ones, runs their lines through <see cref="LineDispatcher"/> (a bounded number at
/// once, at batch priority, so the scheduler batches them and interactive requests go first), stores each result as
/// it comes, and moves jobs on (completed, cancelled, expired). On start, lines a killed process left running go
/// back to pending: their results were never stored, so they run once more, and finished lines never do.
/// </summary>
public sealed class BatchRunner(
    BatchStore store,
    BatchFileValidator validator,
    LineDispatcher dispatcher,
    ITierDirectory tiers,
    IOptions<BatchOptions> options,
    TimeProvider clock,
    ILogger<BatchRunner> logger) : BackgroundService
{
    /// <summary>A line that keeps finding the engine full is recorded with that error after this many tries.</summary>
    public const int MaxAttempts = 20;

    readonly ConcurrentDictionary<(string Job, long Line), Run> _running = new();

    /// <summary>One claim of a line; a line released and claimed again is a new run, so each removes only its own entry.</summary>
    sealed class Run
    {
        public Task Task { get; set; } = Task.CompletedTask;
    }
    readonly SemaphoreSlim _wake = new(0);

    /// <summary>Asks the loop to look for work now (a job was submitted or cancelled) instead of at its next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reset = store.ResetRunning();
        if (reset > 0) logger.LogInformation("{Lines} batch lines left running by the last process will run again", reset);
        while (!stoppingToken.IsCancellationRequested)
        {
            try { Step(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "batch runner step failed; retrying");
            }
            try { await _wake.WaitAsync(options.Value.PollInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
        await Task.WhenAll(_running.Values.Select(r => r.Task)).ContinueWith(_ => { }, CancellationToken.None);
    }

    void Step(CancellationToken stoppingToken)
    {
        var now = Now;
        foreach (var id in store.Overdue(now))
            foreach (var from in BatchStatus.Open)
                if (store.Move(id, from, BatchStatus.Expired, now)) logger.LogInformation("batch {Job} expired", id);
        foreach (var job in store.WithStatus(BatchStatus.Validating))
        {
            // One job's file must never stop the others: whatever goes wrong, that job fails and the loop goes on.
            try { Validate(job); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "batch {Job} could not be validated", job.Id);
                var report = JsonSerializer.Serialize(new { @object = "list", data = new[] { new { code = "validation_error", message = "the file could not be read", line = 0 } } }, ApiJson.Options);
                store.Move(job.Id, BatchStatus.Validating, BatchStatus.Failed, Now, report);
            }
        }
        foreach (var job in store.WithStatus(BatchStatus.Cancelling))
            if (!_running.Keys.Any(k => k.Job == job.Id)) store.Move(job.Id, BatchStatus.Cancelling, BatchStatus.Cancelled, now);
        store.CompleteFinished(now);
        var free = options.Value.MaxConcurrentLines - _running.Count;
        if (free <= 0) return;
        foreach (var line in store.Claim(free, now))
        {
            // Registered before it starts, so its own removal at the end always finds it.
            var run = new Run();
            var start = new Task<Task>(() => RunAsync(line, run, stoppingToken));
            run.Task = start.Unwrap();
            _running[(line.JobId, line.Line)] = run;
            start.Start(TaskScheduler.Default);
        }
    }

    void Validate(BatchJob job)
    {
        var (lines, errors, count) = validator.Validate(job.InputPath, CallerOf(job.TenantId, job.TenantName, job.Tier, job.KeyId));
        if (errors.Count == 0)
        {
            store.Start(job.Id, lines, Now);
            return;
        }
        var report = JsonSerializer.Serialize(new
        {
            @object = "list",
            data = errors.Select(e => new { code = "invalid_request", message = e.Message, param = (string?)null, line = e.Line }),
            total = count,
        }, ApiJson.Options);
        store.Move(job.Id, BatchStatus.Validating, BatchStatus.Failed, Now, report);
        logger.LogInformation("batch {Job} failed validation with {Errors} errors", job.Id, count);
    }

    async Task RunAsync(ClaimedLine line, Run run, CancellationToken stoppingToken)
    {
        var released = false;
        try
        {
            var result = await dispatcher.RunAsync(line, CallerOf(line.TenantId, line.TenantName, line.Tier, line.KeyId), stoppingToken);
            // No room in the engine now: not the line's fault, so it waits for a later turn, backing off, a bounded number of times.
            if (result.StatusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests && line.Attempt < MaxAttempts)
            {
                store.Release(line, Now + Backoff(line.Attempt));
                released = true;
            }
            else store.Finish(line, result, Now);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the line stays running in the store and goes back to pending at the next start.
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

    Caller CallerOf(string tenantId, string tenantName, string tier, string keyId)
    {
        var parsed = Enum.Parse<Tier>(tier, ignoreCase: true);
        return new Caller(tenantId, tenantName, parsed, keyId, tiers.LimitsFor(parsed)) { Batch = true };
    }
}
