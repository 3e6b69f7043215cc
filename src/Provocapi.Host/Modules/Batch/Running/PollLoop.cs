namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>
/// The batch services' loop: a step at every poll, or at once when something asks (a job submitted, a slot freed); a
/// step that fails is logged by the caller and the loop goes on. Several wakes before a step come to one step.
/// </summary>
public sealed class PollLoop
{
    readonly SemaphoreSlim _wake = new(0);

    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    public async Task RunAsync(TimeSpan poll, Action step, Action<Exception> failed, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { step(); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed(e);
            }
            try { await _wake.WaitAsync(poll, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
