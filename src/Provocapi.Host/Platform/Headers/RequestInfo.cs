using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Platform.Headers;

/// <summary>
/// What the <c>X-Request-Id</c> and <c>X-Provocapi-*</c> headers report about one request, filled in by whoever
/// learns it (the resolved model, the queue wait) and written when the response starts.
/// </summary>
public sealed class RequestInfo(string requestId)
{
    public string RequestId { get; } = requestId;
    public long ArrivedAt { get; } = Stopwatch.GetTimestamp();
    /// <summary>The resolved model id (with its adapter), once known.</summary>
    public string? Model { get; set; }
    /// <summary>Arrival to the start of generation; zero for requests that never queue.</summary>
    public TimeSpan QueueTime { get; set; }
    /// <summary>The worker that served a request this gateway routed; null when this process served it.</summary>
    public string? Worker { get; set; }
    /// <summary>Set on a worker for a request a gateway routed: the reply reports its usage (see <see cref="Metering.UsageReport"/>).</summary>
    public bool ReportsUsage { get; set; }
    /// <summary>What the request used, for the usage records.</summary>
    public RequestUsage Usage { get; } = new();
}

public static class RequestInfoExtensions
{
    public static RequestInfo RequestInfo(this HttpContext http) =>
        http.Features.Get<RequestInfo>() ?? throw new InvalidOperationException("the response-headers middleware did not run");
}
