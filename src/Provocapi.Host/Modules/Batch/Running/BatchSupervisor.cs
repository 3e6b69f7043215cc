using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>
/// Moves jobs through their states, on gateways and in the lone process: validates the jobs whose file is on this
/// node's disk, fails those nobody validated in time (their node stopped with the file), expires overdue ones, cancels
/// cancelling ones once no line holds a live lease, and completes those with every line done. Lines run elsewhere (<see cref="BatchLineRunner"/>). Every move is conditional in the store,
/// so any number of supervisors may run at once.
/// </summary>
public sealed class BatchSupervisor(
    BatchStore store,
    BatchFileValidator validator,
    NodeIdentity node,
    ITierDirectory tiers,
    IEnumerable<BatchLineRunner> lineRunners,
    IOptions<BatchOptions> options,
    TimeProvider clock,
    ILogger<BatchSupervisor> logger) : BackgroundService
{
    readonly PollLoop _loop = new();

    /// <summary>Asks the loop to look at the jobs now (one was submitted or cancelled) instead of at its next poll.</summary>
    public void Wake() => _loop.Wake();

    long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _loop.RunAsync(options.Value.PollInterval, Step, e => logger.LogError(e, "batch supervisor step failed; retrying"), stoppingToken);

    void Step()
    {
        var now = Now;
        foreach (var id in store.Overdue(now))
            foreach (var from in BatchStatus.Open)
                if (store.Move(id, from, BatchStatus.Expired, now)) logger.LogInformation("batch {Job} expired", id);
        foreach (var job in store.ToValidate(node.NodeId))
        {
            // Two processes may share a node name (two on one machine): the one without the file leaves the job to the other.
            if (!File.Exists(job.InputPath)) continue;
            // One job's file must never stop the others: whatever goes wrong, that job fails and the loop goes on.
            try { Validate(job); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "batch {Job} could not be validated", job.Id);
                store.Move(job.Id, BatchStatus.Validating, BatchStatus.Failed, Now, FileReport("the file could not be read"));
            }
        }
        // After this node's own: a job whose file is here is validated, however long this node was down.
        var timeout = options.Value.ValidationTimeout;
        foreach (var id in store.ValidatingSince(now - (long)timeout.TotalSeconds))
            if (store.Move(id, BatchStatus.Validating, BatchStatus.Failed, now,
                    FileReport($"the file was not validated within {Duration(timeout)}: the server that received it did not check it in time (it probably stopped); please submit it again")))
                logger.LogWarning("batch {Job} failed: its file was not validated within {Timeout}", id, timeout);
        store.CancelIdle(clock.GetUtcNow());
        store.CompleteFinished(now);
    }

    /// <summary>"1 hour", "90 minutes", "45 seconds": the largest whole unit.</summary>
    static string Duration(TimeSpan span) =>
        span.TotalHours % 1 == 0 ? Plural((long)span.TotalHours, "hour")
        : span.TotalMinutes % 1 == 0 ? Plural((long)span.TotalMinutes, "minute")
        : Plural((long)Math.Ceiling(span.TotalSeconds), "second");

    static string Plural(long count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";

    /// <summary>A job's errors when its file as a whole failed, not a line of it.</summary>
    static string FileReport(string message) =>
        JsonSerializer.Serialize(new { @object = "list", data = new[] { new { code = "validation_error", message, line = 0 } } }, ApiJson.Options);

    void Validate(BatchJob job)
    {
        var (lines, errors, count) = validator.Validate(job.InputPath, BatchCaller.Of(tiers, job.TenantId, job.TenantName, job.Tier, job.KeyId));
        if (errors.Count == 0)
        {
            if (store.Start(job.Id, lines, Now))
                foreach (var runner in lineRunners) runner.Wake();
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
}
