namespace Provocapi.Core.Scheduling;

public enum AdmissionRejection
{
    /// <summary>The queue is full or the request waited past the limit: the server is busy.</summary>
    NoCapacity,
    /// <summary>The queue is full and the request's owner already holds more than its share of it.</summary>
    FairShareExceeded,
    /// <summary>The request can never fit: its prompt alone needs more KV pages than the whole cache has.</summary>
    TooLarge,
}

/// <summary>The scheduler did not take a request; <see cref="RetryAfter"/> says when trying again makes sense.</summary>
public sealed class AdmissionRejectedException(AdmissionRejection reason, string message, TimeSpan retryAfter) : Exception(message)
{
    public AdmissionRejection Reason { get; } = reason;
    public TimeSpan RetryAfter { get; } = retryAfter;
}
