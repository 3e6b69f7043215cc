using Provocapi.Host.Modules.UsageAnalytics.Recording;

namespace Provocapi.Host.Modules.UsageAnalytics.Storage;

/// <summary>Where usage records live: the embedded SQLite store by default, ClickHouse at scale. Both pass one test suite.</summary>
public interface IUsageStore
{
    /// <summary>The backend's name, for log lines.</summary>
    string Name { get; }

    /// <summary>Checks the backend is reachable and has its table; a failure stops start-up.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task WriteAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken);

    /// <summary>Per model per day, in (date, model) order, with <see cref="ExactPercentiles"/>.</summary>
    Task<IReadOnlyList<UsageDay>> QueryAsync(UsageQuery query, CancellationToken cancellationToken);
}
