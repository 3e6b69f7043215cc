namespace Provocapi.Host.Platform.Callers;

/// <summary>Each tier's limits as configured, for work done for a tenant outside a request (batch lines).</summary>
public interface ITierDirectory
{
    TierLimits LimitsFor(Tier tier);
}
