using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>The cluster's shared secret: what internal calls send, and the check of what they sent (in constant time).</summary>
public sealed class ClusterSecret(IOptions<ClusterOptions> options)
{
    /// <summary>The Authorization header an internal call sends.</summary>
    public string AuthorizationValue { get; } = "Bearer " + options.Value.Secret;

    readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + options.Value.Secret);

    /// <summary>Whether <paramref name="http"/> carries the secret; always false when none is configured.</summary>
    public bool IsPresentedBy(HttpContext http)
    {
        if (string.IsNullOrEmpty(options.Value.Secret)) return false;
        var presented = Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString());
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
