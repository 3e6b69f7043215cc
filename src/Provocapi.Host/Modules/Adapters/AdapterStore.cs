using System.Security.Cryptography;
using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>Adapters' metadata in the store, always read and written for one tenant.</summary>
public sealed class AdapterStore(Database store)
{
    public sealed record StoredAdapter(string Id, string TenantId, string Name, string BaseModel, string Format, string? HfRepo, string? Revision,
        string Status, string? Failure, long? Rank, double? Alpha, string? TargetModules, long? SizeBytes, long CreatedAt);

    /// <summary>The loaded shape of a ready adapter.</summary>
    public sealed record Description(int Rank, float Alpha, IReadOnlyList<string> TargetModules, long SizeBytes);

    public static string NewId() => "adp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    const string Columns = """
        id AS Id, tenant_id AS TenantId, name AS Name, base_model AS BaseModel, format AS Format, hf_repo AS HfRepo, revision AS Revision,
        status AS Status, failure AS Failure, rank AS Rank, alpha AS Alpha, target_modules AS TargetModules, size_bytes AS SizeBytes, created_at AS CreatedAt
        """;

    /// <summary>Inserts a new adapter; false when the tenant already has one of that name.</summary>
    public bool TryInsert(StoredAdapter adapter)
    {
        using var connection = store.Open();
        try
        {
            connection.Execute("""
                INSERT INTO adapters (id, tenant_id, name, base_model, format, hf_repo, revision, status, failure, rank, alpha, target_modules, size_bytes, created_at)
                VALUES (@Id, @TenantId, @Name, @BaseModel, @Format, @HfRepo, @Revision, @Status, @Failure, @Rank, @Alpha, @TargetModules, @SizeBytes, @CreatedAt)
                """, adapter);
            return true;
        }
        catch (Exception e) when (store.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public bool NameTaken(string tenantId, string name)
    {
        using var connection = store.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM adapters WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name }) > 0;
    }

    public StoredAdapter? Get(string tenantId, string id)
    {
        using var connection = store.Open();
        return connection.QuerySingleOrDefault<StoredAdapter>($"SELECT {Columns} FROM adapters WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id });
    }

    /// <summary>The tenant's ready adapter <paramref name="name"/> on <paramref name="baseModel"/> (a worker about to fetch it).</summary>
    public StoredAdapter? FindReady(string tenantId, string baseModel, string name)
    {
        using var connection = store.Open();
        return connection.QuerySingleOrDefault<StoredAdapter>(
            $"SELECT {Columns} FROM adapters WHERE tenant_id = @tenantId AND base_model = @baseModel AND name = @name AND status = 'ready'",
            new { tenantId, baseModel, name });
    }

    /// <summary>Which of <paramref name="ids"/> are still ready adapters (a worker checking what it holds).</summary>
    public IReadOnlySet<string> ReadyAmong(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0) return new HashSet<string>();
        using var connection = store.Open();
        return connection.Query<string>($"SELECT id FROM adapters WHERE {store.IsAnyOf("id", "@ids")} AND status = 'ready'", new { ids = ids.ToArray() })
            .ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<StoredAdapter> List(string tenantId)
    {
        using var connection = store.Open();
        return connection.Query<StoredAdapter>($"SELECT {Columns} FROM adapters WHERE tenant_id = @tenantId ORDER BY created_at, id", new { tenantId }).ToList();
    }

    /// <summary>Every tenant's adapters in <paramref name="status"/> (start-up: what to serve, what was interrupted).</summary>
    public IReadOnlyList<StoredAdapter> WithStatus(params string[] status)
    {
        using var connection = store.Open();
        return connection.Query<StoredAdapter>($"SELECT {Columns} FROM adapters WHERE {store.IsAnyOf("status", "@status")}", new { status }).ToList();
    }

    public void SetDownloading(string id)
    {
        using var connection = store.Open();
        connection.Execute("UPDATE adapters SET status = 'downloading' WHERE id = @id AND status = 'pending'", new { id });
    }

    /// <summary>Marks a download ready; false when the adapter was deleted meanwhile.</summary>
    public bool SetReady(string id, string format, Description d)
    {
        using var connection = store.Open();
        return connection.Execute("""
            UPDATE adapters SET status = 'ready', failure = NULL, format = @format, rank = @Rank, alpha = @Alpha, target_modules = @targets, size_bytes = @SizeBytes
            WHERE id = @id
            """, new { id, format, d.Rank, d.Alpha, targets = string.Join(",", d.TargetModules), d.SizeBytes }) == 1;
    }

    public void SetFailed(string id, string reason)
    {
        using var connection = store.Open();
        connection.Execute("UPDATE adapters SET status = 'failed', failure = @reason WHERE id = @id", new { id, reason });
    }

    public bool Delete(string tenantId, string id)
    {
        using var connection = store.Open();
        return connection.Execute("DELETE FROM adapters WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }) == 1;
    }
}
