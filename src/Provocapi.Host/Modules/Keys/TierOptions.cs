using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Modules.Keys;

/// <summary>Rate limits and caps per tier (<c>Provocapi:Tiers:Shared:RequestsPerMinute</c> and so on); 0 means unlimited.</summary>
public sealed class TierOptions : ICheckedOptions
{
    public const string Section = "Provocapi:Tiers";

    public TierLimits Shared { get; set; } = new() { RequestsPerMinute = 60, TokensPerMinute = 200_000, MaxTokens = 8192 };
    public TierLimits Reserved { get; set; } = new() { RequestsPerMinute = 600, TokensPerMinute = 2_000_000 };
    public TierLimits Dedicated { get; set; } = new() { RequestsPerMinute = 6_000, TokensPerMinute = 20_000_000 };

    public TierLimits For(Tier tier) => tier switch
    {
        Tier.Shared => Shared,
        Tier.Reserved => Reserved,
        Tier.Dedicated => Dedicated,
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    /// <summary>Every value must be zero (unlimited) or positive.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var tier in Enum.GetValues<Tier>())
        {
            var limits = For(tier);
            var name = tier.ToString();
            if (limits.RequestsPerMinute < 0) yield return $"Provocapi:Tiers:{name}:RequestsPerMinute must be 0 (unlimited) or positive";
            if (limits.TokensPerMinute < 0) yield return $"Provocapi:Tiers:{name}:TokensPerMinute must be 0 (unlimited) or positive";
            if (limits.MaxTokens < 0) yield return $"Provocapi:Tiers:{name}:MaxTokens must be 0 (no cap) or positive";
        }
    }
}
