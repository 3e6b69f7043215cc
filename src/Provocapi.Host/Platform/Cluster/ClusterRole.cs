using Microsoft.Extensions.Configuration;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>
/// What a process does in a deployment: everything (the embedded default), the tenant-facing gateway (keys, limits,
/// usage, batch and adapter APIs, routing; no model), or a worker (models and the scheduler, behind the gateways).
/// </summary>
public enum ClusterRole
{
    All,
    Gateway,
    Worker,
}

public static class ClusterRoles
{
    public const string ConfigKey = ClusterOptions.Section + ":Role";

    /// <summary>The configured role; modules read it while registering, before options exist.</summary>
    public static ClusterRole Role(this IConfiguration configuration) => Parse(configuration[ConfigKey]);

    public static ClusterRole Parse(string? value) =>
        TryParse(value, out var role) ? role : throw new InvalidOperationException($"role '{value}' is not one of all, gateway, worker");

    public static bool TryParse(string? value, out ClusterRole role)
    {
        ClusterRole? parsed = value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "all" => ClusterRole.All,
            "gateway" => ClusterRole.Gateway,
            "worker" => ClusterRole.Worker,
            _ => null,
        };
        role = parsed ?? ClusterRole.All;
        return parsed != null;
    }

    /// <summary>Whether this process loads models and runs generations.</summary>
    public static bool RunsModels(this ClusterRole role) => role != ClusterRole.Gateway;

    /// <summary>Whether this process faces tenants: their keys, limits, usage and the batch and adapter APIs.</summary>
    public static bool FacesTenants(this ClusterRole role) => role != ClusterRole.Worker;
}
