using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Modules.Batch;

/// <summary>The batch API's limits (section <c>Provocapi:Batch</c>); the defaults are the spec's.</summary>
public sealed class BatchOptions : ICheckedOptions
{
    public const string Section = "Provocapi:Batch";

    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;
    public int MaxLines { get; set; } = 50_000;
    /// <summary>Jobs not yet finished a shared-tier tenant may have; reserved and dedicated have no cap.</summary>
    public int SharedTierMaxOpenJobs { get; set; } = 10;
    public TimeSpan CompletionWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Lines in flight at once across all jobs: enough to fill the scheduler's batches, few enough to leave its queue to interactive traffic.</summary>
    public int MaxConcurrentLines { get; set; } = 16;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How long a claimed line stays its runner's without word from it: the runner renews it every third of this while the line runs; a runner that dies loses its lines to others this long after its last renewal.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a job may wait for its file to be validated. Only the node that took the upload has the file, so
    /// if it stops first (a gateway pod replaced) the job would otherwise wait out its whole completion window; validation
    /// itself takes seconds.</summary>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Problems()
    {
        if (MaxFileBytes < 1) yield return $"{Section}:MaxFileBytes must be positive";
        if (MaxLines < 1) yield return $"{Section}:MaxLines must be positive";
        if (SharedTierMaxOpenJobs < 0) yield return $"{Section}:SharedTierMaxOpenJobs must not be negative";
        if (CompletionWindow <= TimeSpan.Zero) yield return $"{Section}:CompletionWindow must be positive";
        if (MaxConcurrentLines < 1) yield return $"{Section}:MaxConcurrentLines must be at least 1";
        if (PollInterval <= TimeSpan.Zero) yield return $"{Section}:PollInterval must be positive";
        if (LeaseDuration < TimeSpan.FromSeconds(1)) yield return $"{Section}:LeaseDuration must be at least a second";
        if (ValidationTimeout < TimeSpan.FromSeconds(1)) yield return $"{Section}:ValidationTimeout must be at least a second";
    }
}
