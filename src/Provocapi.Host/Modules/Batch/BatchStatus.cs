namespace Provocapi.Host.Modules.Batch;

/// <summary>A job's states, as the API names them.</summary>
public static class BatchStatus
{
    public const string Validating = "validating", InProgress = "in_progress", Completed = "completed", Failed = "failed",
        Cancelling = "cancelling", Cancelled = "cancelled", Expired = "expired";

    /// <summary>States in which a job still counts against the shared tier's cap and may still expire.</summary>
    public static readonly string[] Open = [Validating, InProgress, Cancelling];
}
