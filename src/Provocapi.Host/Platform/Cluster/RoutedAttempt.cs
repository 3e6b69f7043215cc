using System.Security.Cryptography;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Platform.Cluster;

/// <summary>
/// One try of a gateway at a routed request, named so the gateway can still meter it when its own client leaves
/// before the reply (and the usage report it carries) arrived: the gateway's link to the worker closes with its
/// client's, so the worker stops, and the gateway then asks the worker what the request used. <see cref="Header"/>
/// carries the name to the worker; <see cref="UsagePath"/> is where the worker answers with a <see cref="Usage"/>.
/// </summary>
public static class RoutedAttempt
{
    public const string Header = "X-Provocapi-Attempt";

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsWellFormed(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public static string UsagePath(string id) => $"/internal/attempts/{id}/usage";

    /// <summary>How long a claim waits on the worker for its attempt to end: the engine stops a sequence within a step of its link closing.</summary>
    public static readonly TimeSpan ClaimWait = TimeSpan.FromSeconds(10);

    /// <summary>What an attempt used, once it ended, and the model the worker resolved its request to.</summary>
    public sealed record Usage(string? Model, UsageReport Report);
}
