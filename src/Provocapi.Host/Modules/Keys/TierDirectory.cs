using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Modules.Keys;

/// <summary>The configured tiers, for other modules through Platform's contract.</summary>
public sealed class TierDirectory(IOptions<TierOptions> tiers) : ITierDirectory
{
    public TierLimits LimitsFor(Tier tier) => tiers.Value.For(tier);
}
