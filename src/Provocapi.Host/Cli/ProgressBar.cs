namespace Provocapi.Host.Cli;

/// <summary>A load progress bar on stderr, drawn only when stderr is a terminal.</summary>
public sealed class ProgressBar(string label) : IProgress<double>
{
    readonly bool _enabled = !Console.IsErrorRedirected;
    int _lastPercent = -1;

    public void Report(double value)
    {
        if (!_enabled) return;
        var percent = (int)Math.Clamp(value * 100, 0, 100);
        if (percent == _lastPercent) return;
        _lastPercent = percent;
        var filled = percent * 30 / 100;
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', 30 - filled)}] {percent,3}%");
        if (percent == 100) Console.Error.WriteLine();
    }
}
