using System.Text.Json;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>
/// The caller a gateway authenticated, passed to the worker it routes to in <c>X-Provocapi-Caller</c>. A worker
/// believes it only on a request that carries the cluster secret.
/// </summary>
public static class CallerHeader
{
    public const string Name = "X-Provocapi-Caller";

    sealed record Wire(string TenantId, string TenantName, Tier Tier, string KeyId, TierLimits Limits, bool Batch);

    public static string Write(Caller caller) =>
        JsonSerializer.Serialize(new Wire(caller.TenantId, caller.TenantName, caller.Tier, caller.KeyId, caller.Limits, caller.Batch), ApiJson.Options);

    /// <summary>The caller in <paramref name="header"/>; null when it is missing or not one.</summary>
    public static Caller? Read(string? header)
    {
        if (string.IsNullOrEmpty(header)) return null;
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(header, ApiJson.Options);
            if (wire is not { TenantId.Length: > 0, TenantName.Length: > 0, KeyId.Length: > 0, Limits: not null }) return null;
            return new Caller(wire.TenantId, wire.TenantName, wire.Tier, wire.KeyId, wire.Limits) { Batch = wire.Batch };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
