using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Provocapi.Host.Server;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>
/// This process in the cluster: its node name (<c>Provocapi:WorkerId</c>, reported in <c>X-Provocapi-Worker</c>) and
/// an instance id new at every start, so a restarted node never mistakes its predecessor's batch leases for its own.
/// </summary>
public sealed class NodeIdentity(IOptions<ServerOptions> options)
{
    public string NodeId { get; } = options.Value.WorkerId;
    public string Instance { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
