using System.Diagnostics.Metrics;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>What a gateway's routing did, for <c>/metrics</c>: attempts per worker and how they ended, and the retries they cost.</summary>
public static class GatewayMetrics
{
    public const string MeterName = "Provocapi.Gateway";

    static readonly Meter Meter = new(MeterName, "1.0");
    static readonly Counter<long> Attempts = Meter.CreateCounter<long>("provocapi.gateway.attempts", "{request}", "Requests sent to workers, by worker and outcome (served, unreachable, server_error)");
    static readonly Counter<long> Retries = Meter.CreateCounter<long>("provocapi.gateway.retries", "{request}", "Requests sent to a second worker after the first failed before the client saw anything");
    static readonly Counter<long> Unrouted = Meter.CreateCounter<long>("provocapi.gateway.unrouted", "{request}", "Requests no healthy worker could take (answered 503)");

    public static void Attempted(string worker, string outcome) =>
        Attempts.Add(1, new KeyValuePair<string, object?>("worker", worker), new KeyValuePair<string, object?>("outcome", outcome));

    public static void Retried() => Retries.Add(1);

    public static void NoWorker() => Unrouted.Add(1);
}
