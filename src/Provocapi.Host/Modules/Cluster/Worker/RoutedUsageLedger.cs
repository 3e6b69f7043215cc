using Provocapi.Host.Platform.Cluster;

namespace Provocapi.Host.Modules.Cluster.Worker;

/// <summary>
/// What each routed attempt used, kept on the worker from the attempt's arrival until its gateway claims it or
/// <see cref="Retention"/> after it ended. A gateway claims only attempts whose client left, but it may ask before the
/// worker has seen the link close, so a claim waits for the attempt to end; and an attempt that ended normally may
/// still be claimed by a gateway whose client left while the reply was in flight.
/// </summary>
public sealed class RoutedUsageLedger(TimeProvider time)
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(1);

    readonly Lock _lock = new();
    readonly Dictionary<string, TaskCompletionSource<RoutedAttempt.Usage?>> _attempts = [];
    readonly Queue<(string Id, long EndedAt)> _ended = new();

    /// <summary>Starts keeping attempt <paramref name="id"/>; false when one of that name is kept already.</summary>
    public bool Open(string id)
    {
        lock (_lock) return _attempts.TryAdd(id, new TaskCompletionSource<RoutedAttempt.Usage?>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Attempt <paramref name="id"/> ended having used <paramref name="usage"/> (null: nothing metered).</summary>
    public void Close(string id, RoutedAttempt.Usage? usage)
    {
        TaskCompletionSource<RoutedAttempt.Usage?>? attempt;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            while (_ended.TryPeek(out var oldest) && time.GetElapsedTime(oldest.EndedAt, now) > Retention)
                _attempts.Remove(_ended.Dequeue().Id);
            if (!_attempts.TryGetValue(id, out attempt)) return;
            _ended.Enqueue((id, now));
        }
        attempt.TrySetResult(usage);
    }

    /// <summary>
    /// What attempt <paramref name="id"/> used, waiting up to <paramref name="wait"/> for it to end, and forgets it;
    /// null when it is unknown, used nothing metered, or has not ended in time.
    /// </summary>
    public async Task<RoutedAttempt.Usage?> ClaimAsync(string id, TimeSpan wait, CancellationToken cancellation)
    {
        TaskCompletionSource<RoutedAttempt.Usage?>? attempt;
        lock (_lock)
            if (!_attempts.TryGetValue(id, out attempt)) return null;
        try
        {
            var usage = await attempt.Task.WaitAsync(wait, time, cancellation);
            lock (_lock) _attempts.Remove(id);
            return usage;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
