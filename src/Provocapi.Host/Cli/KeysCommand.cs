using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Store;

namespace Provocapi.Host.Cli;

/// <summary><c>provocapi keys create|list|revoke</c>: manages tenants' API keys in the store (the data folder's SQLite file, or Postgres with <c>--postgres</c>).</summary>
public static class KeysCommand
{
    public static int Run(CommandLineOptions options)
    {
        var action = options.Positional.FirstOrDefault() ?? throw new CommandLineException("keys needs an action: create, list or revoke");
        var store = StoreLocation.From(options);
        return action switch
        {
            "create" => Create(options, store),
            "list" => List(options, store),
            "revoke" => Revoke(options, store),
            _ => throw new CommandLineException($"unknown keys action '{action}' (create, list, revoke)"),
        };
    }

    static KeyStore Open(StoreLocation store) => new(store.OpenMigrated());

    static int Create(CommandLineOptions options, StoreLocation store)
    {
        var tenant = options.Required("--tenant", "the tenant's name");
        if (tenant.Length is 0 or > 64 || tenant.Any(char.IsControl)) throw new CommandLineException("--tenant must be 1 to 64 printable characters");
        var tierName = options.String("--tier");
        var tier = tierName == null ? (Platform.Callers.Tier?)null
            : TierNames.TryParse(tierName) ?? throw new CommandLineException($"--tier {tierName} is not a tier (shared, reserved, dedicated)");
        options.RejectUnknown();
        var created = Open(store).CreateKey(tenant, tier);
        var note = created.TenantCreated ? "created tenant" : created.TierChanged ? "changed the tier of tenant" : "tenant";
        Console.Error.WriteLine($"{note} '{created.Tenant.Name}' ({TierNames.Name(created.Tenant.Tier)}); the key is shown once:");
        Console.WriteLine(created.Key);
        return 0;
    }

    static int List(CommandLineOptions options, StoreLocation store)
    {
        var tenant = options.String("--tenant");
        options.RejectUnknown();
        foreach (var key in Open(store).List(tenant))
        {
            var state = key.RevokedAt is { } at ? $"revoked {at:yyyy-MM-dd HH:mm:ss}Z" : "active";
            Console.WriteLine($"{key.Prefix}…\t{key.TenantName}\t{TierNames.Name(key.Tier)}\tcreated {key.CreatedAt:yyyy-MM-dd HH:mm:ss}Z\t{state}");
        }
        return 0;
    }

    static int Revoke(CommandLineOptions options, StoreLocation store)
    {
        var prefix = options.Positional.ElementAtOrDefault(1)?.TrimEnd('…') ?? throw new CommandLineException("keys revoke needs a KEY_PREFIX (as keys list shows it)");
        options.RejectUnknown();
        if (prefix.Length < ApiKey.Scheme.Length + 4 || !prefix.StartsWith(ApiKey.Scheme, StringComparison.Ordinal))
            throw new CommandLineException($"KEY_PREFIX must start with {ApiKey.Scheme} and at least 4 more characters");
        if (prefix.Length > ApiKey.PrefixLength) prefix = prefix[..ApiKey.PrefixLength];
        var matches = Open(store).Revoke(prefix);
        switch (matches.Count)
        {
            case 0: throw new CommandLineException($"no active key starts with {prefix}");
            case 1:
                Console.WriteLine($"revoked {matches[0]}…");
                return 0;
            default: throw new CommandLineException($"{matches.Count} active keys start with {prefix}; give more characters ({string.Join(", ", matches)})");
        }
    }
}
