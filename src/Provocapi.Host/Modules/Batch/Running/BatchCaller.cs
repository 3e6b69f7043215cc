using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>The caller a job's lines run as: its tenant, at its tier's limits today, marked as batch work.</summary>
public static class BatchCaller
{
    public static Caller Of(ITierDirectory tiers, string tenantId, string tenantName, string tier, string keyId)
    {
        var parsed = Enum.Parse<Tier>(tier, ignoreCase: true);
        return new Caller(tenantId, tenantName, parsed, keyId, tiers.LimitsFor(parsed)) { Batch = true };
    }
}
