using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Keys;

/// <summary>
/// Turns a presented key into its caller. Rows are found by the key's public prefix and cached for half a second
/// (so a revoked key stops working within a second, and a flood of requests does not become a flood of queries);
/// the secret is checked by comparing SHA-256 hashes in constant time.
/// </summary>
public sealed class ApiKeyAuthenticator(KeyStore keys, IOptions<TierOptions> tiers)
{
    static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(500);
    readonly ConcurrentDictionary<string, (KeyStore.StoredKey? Key, long FetchedAt)> _cache = new();

    public Caller Authenticate(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
            throw ApiException.InvalidApiKey("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        const string bearer = "Bearer ";
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            throw ApiException.InvalidApiKey("The Authorization header must use Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        var key = authorization[bearer.Length..].Trim();
        var prefix = ApiKey.PrefixOf(key);
        var stored = prefix == null ? null : Lookup(prefix);
        if (stored == null || !ApiKey.Matches(key, stored.Hash))
            throw ApiException.InvalidApiKey($"Incorrect API key provided: {Redact(key)}.");
        if (stored.Revoked) throw ApiException.InvalidApiKey($"The API key {stored.Prefix}… has been revoked.");
        return new Caller(stored.TenantId, stored.TenantName, stored.Tier, stored.Id, tiers.Value.For(stored.Tier));
    }

    KeyStore.StoredKey? Lookup(string prefix)
    {
        var now = Stopwatch.GetTimestamp();
        if (_cache.TryGetValue(prefix, out var cached) && Stopwatch.GetElapsedTime(cached.FetchedAt, now) < CacheFor) return cached.Key;
        var key = keys.FindByPrefix(prefix);
        // Bounded: an attacker cycling random prefixes only ever fills it with entries that expire.
        if (_cache.Count > 100_000) _cache.Clear();
        _cache[prefix] = (key, now);
        return key;
    }

    static string Redact(string key) => key.Length <= 12 ? "***" : $"{key[..8]}***{key[^4..]}";
}
