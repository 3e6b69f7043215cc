namespace Provocapi.Host.Platform.Hosting;

/// <summary>
/// The loop of a background service that does one step every interval until the host stops: a step that fails is
/// reported and the next tick tries again, so one bad moment (the store unreachable, say) never ends the loop.
/// </summary>
public static class PeriodicWork
{
    /// <param name="firstAtOnce">Take the first step now rather than after one interval.</param>
    public static async Task RunAsync(TimeSpan interval, TimeProvider clock, bool firstAtOnce, Action step, Action<Exception> failed, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        if (!firstAtOnce && !await TickAsync(timer, stoppingToken)) return;
        do
        {
            try { step(); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed(e);
            }
        }
        while (await TickAsync(timer, stoppingToken));
    }

    static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken); }
        catch (OperationCanceledException) { return false; }
    }
}
