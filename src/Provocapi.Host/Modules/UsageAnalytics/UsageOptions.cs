using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Modules.UsageAnalytics;

public enum UsageBackend
{
    Sqlite,
    ClickHouse,
}

/// <summary>
/// <c>Provocapi:Usage</c>: where usage records go (the embedded SQLite store, or ClickHouse) and how they are
/// buffered on the way: up to <see cref="QueueCapacity"/> records wait, written every <see cref="FlushMilliseconds"/>
/// or every <see cref="BatchSize"/> records, whichever comes first.
/// </summary>
public sealed class UsageOptions : ICheckedOptions
{
    public const string Section = "Provocapi:Usage";

    public UsageBackend Backend { get; set; } = UsageBackend.Sqlite;
    public ClickHouseOptions ClickHouse { get; set; } = new();
    public int BatchSize { get; set; } = 1000;
    public int FlushMilliseconds { get; set; } = 1000;
    /// <summary>Records buffered at most while the backend is slow or away; beyond, new ones are dropped with a warning.</summary>
    public int QueueCapacity { get; set; } = 100_000;

    public IEnumerable<string> Problems()
    {
        if (BatchSize < 1) yield return $"{Section}:BatchSize must be positive";
        if (FlushMilliseconds < 1) yield return $"{Section}:FlushMilliseconds must be positive";
        if (QueueCapacity < BatchSize) yield return $"{Section}:QueueCapacity must be at least BatchSize";
        if (Backend == UsageBackend.ClickHouse && !Uri.TryCreate(ClickHouse.Url, UriKind.Absolute, out _))
            yield return $"{Section}:ClickHouse:Url must be an absolute URL such as http://127.0.0.1:8123";
    }
}

/// <summary>ClickHouse's HTTP interface: its URL, the database for the usage table, and credentials if it needs them.</summary>
public sealed class ClickHouseOptions
{
    public string Url { get; set; } = "http://127.0.0.1:8123";
    public string Database { get; set; } = "provocapi";
    public string? User { get; set; }
    public string? Password { get; set; }
}
