using System.Text.Json;
using Dapper;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Cluster.Registry;

/// <summary>The worker registry in the shared store: workers write their own row; gateways read them all.</summary>
public sealed class WorkerRegistry(Database database)
{
    /// <summary>Writes <paramref name="worker"/>'s row, replacing the last report (and a previous instance's row of the same id).</summary>
    public void Report(WorkerRecord worker)
    {
        using var connection = database.Open();
        connection.Execute(
            """
            INSERT INTO workers (id, instance, url, models, adapters, started_at, heartbeat_at, stopped_at)
            VALUES (@Id, @Instance, @Url, @models, @adapters, @StartedAt, @HeartbeatAt, NULL)
            ON CONFLICT (id) DO UPDATE SET instance = excluded.instance, url = excluded.url, models = excluded.models,
                adapters = excluded.adapters, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
            """,
            new
            {
                worker.Id, worker.Instance, worker.Url, worker.StartedAt, worker.HeartbeatAt,
                models = JsonSerializer.Serialize(worker.Models, ApiJson.Options),
                adapters = JsonSerializer.Serialize(worker.Adapters, ApiJson.Options),
            });
    }

    /// <summary>A clean shutdown: the row stays (its models are still known, so requests for them get a 503, not a 404) but takes no more work.</summary>
    public void Stopped(string id, string instance, long now)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE workers SET stopped_at = @now WHERE id = @id AND instance = @instance", new { id, instance, now });
    }

    /// <summary>Every worker's row, healthy or not.</summary>
    public IReadOnlyList<WorkerRecord> All()
    {
        using var connection = database.Open();
        return connection.Query<Row>(
                "SELECT id AS Id, instance AS Instance, url AS Url, models AS Models, adapters AS Adapters, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, stopped_at AS StoppedAt FROM workers ORDER BY id")
            .Select(r => new WorkerRecord(r.Id, r.Instance, r.Url,
                JsonSerializer.Deserialize<List<WorkerModel>>(r.Models, ApiJson.Options) ?? [],
                JsonSerializer.Deserialize<List<string>>(r.Adapters, ApiJson.Options) ?? [],
                r.StartedAt, r.HeartbeatAt, r.StoppedAt))
            .ToList();
    }

    /// <summary>Forgets workers not heard from since <paramref name="before"/> (Unix ms), so the registry does not grow forever.</summary>
    public int Prune(long before)
    {
        using var connection = database.Open();
        return connection.Execute("DELETE FROM workers WHERE heartbeat_at < @before", new { before });
    }

    sealed record Row(string Id, string Instance, string Url, string Models, string Adapters, long StartedAt, long HeartbeatAt, long? StoppedAt);
}
