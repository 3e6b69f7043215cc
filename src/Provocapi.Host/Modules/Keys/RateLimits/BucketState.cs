namespace Provocapi.Host.Modules.Keys.RateLimits;

/// <summary>The outcome of a take: whether it fit, what is left, when the bucket is full again, and when the take would fit.</summary>
public readonly record struct BucketState(bool Taken, long Remaining, TimeSpan UntilFull, TimeSpan RetryAfter);
