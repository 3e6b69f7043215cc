using System.ComponentModel.DataAnnotations;
using Provocapi.Host.Platform.Options;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>The <c>Provocapi:Cluster</c> section: how gateways and workers find and trust each other.</summary>
public sealed class ClusterOptions : ICheckedOptions
{
    public const string Section = "Provocapi:Cluster";

    /// <summary><c>all</c>, <c>gateway</c> or <c>worker</c> (see <see cref="ClusterRole"/>).</summary>
    public string Role { get; set; } = "all";

    /// <summary>Shared by every node; internal calls carry it as a bearer token. Required for gateways and workers.</summary>
    public string? Secret { get; set; }

    /// <summary>On workers: a URL that reaches the gateways (a Kubernetes Service), for adapter files.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>On workers: the URL gateways use to reach this worker; by default its first bound URL.</summary>
    public string? AdvertiseUrl { get; set; }

    /// <summary>How often a worker reports itself.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A worker not heard from for this long gets no requests.</summary>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Problems()
    {
        if (!ClusterRoles.TryParse(Role, out var role))
        {
            yield return $"{Section}:Role: '{Role}' is not one of all, gateway, worker";
            yield break;
        }
        if (role == ClusterRole.All) yield break;
        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16)
            yield return $"{Section}:Secret must be set (16 characters or more) for the {Role} role";
        if (HeartbeatInterval <= TimeSpan.Zero) yield return $"{Section}:HeartbeatInterval must be positive";
        if (WorkerTimeout < 2 * HeartbeatInterval) yield return $"{Section}:WorkerTimeout must be at least two heartbeats";
        foreach (var (name, url) in new[] { ("GatewayUrl", GatewayUrl), ("AdvertiseUrl", AdvertiseUrl) })
            if (url != null && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
                yield return $"{Section}:{name} must be an http(s) URL";
    }
}
