using System.Security.Cryptography;
using Dapper;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Keys;

/// <summary>Tenants and their API keys in the store.</summary>
public sealed class KeyStore(Database store)
{
    public sealed record Tenant(string Id, string Name, Tier Tier);
    public sealed record StoredKey(string Id, string Prefix, byte[] Hash, string TenantId, string TenantName, Tier Tier, bool Revoked);
    public sealed record KeyListing(string Prefix, string TenantName, Tier Tier, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
    public sealed record CreatedKey(string Key, Tenant Tenant, bool TenantCreated, bool TierChanged);

    /// <summary>Creates a key for <paramref name="tenantName"/>, creating the tenant (with <paramref name="tier"/>, default shared) if needed.</summary>
    public CreatedKey CreateKey(string tenantName, Tier? tier)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var row = connection.QuerySingleOrDefault<TenantRow>(
            "SELECT id AS Id, tier AS Tier FROM tenants WHERE name = @tenantName", new { tenantName }, transaction);
        bool created = false, changed = false;
        Tenant tenant;
        if (row is { } existing)
        {
            tenant = new Tenant(existing.Id, tenantName, TierNames.Parse(existing.Tier));
            if (tier is { } wanted && wanted != tenant.Tier)
            {
                connection.Execute("UPDATE tenants SET tier = @tier WHERE id = @id", new { tier = TierNames.Name(wanted), id = tenant.Id }, transaction);
                tenant = tenant with { Tier = wanted };
                changed = true;
            }
        }
        else
        {
            tenant = new Tenant(NewId("ten_"), tenantName, tier ?? Tier.Shared);
            connection.Execute("INSERT INTO tenants (id, name, tier, created_at) VALUES (@Id, @Name, @tier, @now)",
                new { tenant.Id, tenant.Name, tier = TierNames.Name(tenant.Tier), now }, transaction);
            created = true;
        }
        var key = ApiKey.Generate();
        connection.Execute("INSERT INTO api_keys (id, tenant_id, prefix, hash, created_at) VALUES (@id, @tenant, @prefix, @hash, @now)",
            new { id = NewId("key_"), tenant = tenant.Id, prefix = ApiKey.PrefixOf(key), hash = ApiKey.Hash(key), now }, transaction);
        transaction.Commit();
        return new CreatedKey(key, tenant, created, changed);
    }

    public Tenant? FindTenant(string name)
    {
        using var connection = store.Open();
        var row = connection.QuerySingleOrDefault<TenantRow>("SELECT id AS Id, tier AS Tier FROM tenants WHERE name = @name", new { name });
        return row is { } r ? new Tenant(r.Id, name, TierNames.Parse(r.Tier)) : null;
    }

    public StoredKey? FindByPrefix(string prefix)
    {
        using var connection = store.Open();
        var row = connection.QuerySingleOrDefault<KeyRow>(
            """
            SELECT k.id AS Id, k.prefix AS Prefix, k.hash AS Hash, t.id AS TenantId, t.name AS TenantName, t.tier AS Tier, k.revoked_at AS RevokedAt
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE k.prefix = @prefix
            """, new { prefix });
        return row is { } r ? new StoredKey(r.Id, r.Prefix, r.Hash, r.TenantId, r.TenantName, TierNames.Parse(r.Tier), r.RevokedAt != null) : null;
    }

    public IReadOnlyList<KeyListing> List(string? tenantName = null)
    {
        using var connection = store.Open();
        return connection.Query<ListingRow>(
            """
            SELECT k.prefix AS Prefix, t.name AS Name, t.tier AS Tier, k.created_at AS CreatedAt, k.revoked_at AS RevokedAt
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE @tenantName IS NULL OR t.name = @tenantName
            ORDER BY t.name, k.created_at, k.prefix
            """, new { tenantName })
            .Select(r => new KeyListing(r.Prefix, r.Name, TierNames.Parse(r.Tier), DateTimeOffset.FromUnixTimeSeconds(r.CreatedAt),
                r.RevokedAt is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : null))
            .ToList();
    }

    /// <summary>Revokes the one active key whose prefix starts with <paramref name="prefix"/>; returns the matches' prefixes.</summary>
    public IReadOnlyList<string> Revoke(string prefix)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        var matches = connection.Query<string>(
            "SELECT prefix FROM api_keys WHERE revoked_at IS NULL AND substr(prefix, 1, length(@prefix)) = @prefix",
            new { prefix }, transaction).ToList();
        if (matches.Count == 1)
            connection.Execute("UPDATE api_keys SET revoked_at = @now WHERE prefix = @match",
                new { now = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), match = matches[0] }, transaction);
        transaction.Commit();
        return matches;
    }

    sealed record TenantRow(string Id, string Tier);
    sealed record KeyRow(string Id, string Prefix, byte[] Hash, string TenantId, string TenantName, string Tier, long? RevokedAt);
    sealed record ListingRow(string Prefix, string Name, string Tier, long CreatedAt, long? RevokedAt);

    static string NewId(string kind) => kind + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
