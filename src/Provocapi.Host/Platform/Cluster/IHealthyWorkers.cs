namespace Provocapi.Host.Platform.Cluster;

/// <summary>On a gateway: the workers heard from lately, for calls every worker must get (an adapter's delete).</summary>
public interface IHealthyWorkers
{
    /// <summary>Each healthy worker's base URL, as it advertises it.</summary>
    IReadOnlyList<string> Urls();
}
