using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Modules.Keys;

/// <summary>Tiers as they are spelled in the store, the CLI and configuration.</summary>
public static class TierNames
{
    public static string Name(Tier tier) => tier switch
    {
        Tier.Shared => "shared",
        Tier.Reserved => "reserved",
        Tier.Dedicated => "dedicated",
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    public static Tier Parse(string name) => TryParse(name) ?? throw new FormatException($"unknown tier '{name}' (shared, reserved, dedicated)");

    public static Tier? TryParse(string name) => name.ToLowerInvariant() switch
    {
        "shared" => Tier.Shared,
        "reserved" => Tier.Reserved,
        "dedicated" => Tier.Dedicated,
        _ => null,
    };
}
