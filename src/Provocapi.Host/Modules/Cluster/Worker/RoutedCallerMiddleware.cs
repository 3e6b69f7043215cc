using Microsoft.AspNetCore.Http;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Modules.Cluster.Worker;

/// <summary>
/// A worker's door: <c>/v1</c> and <c>/internal</c> requests must carry the cluster secret (tenants' keys mean nothing
/// here); a <c>/v1</c> request runs as the caller its gateway authenticated and reports its usage back to that gateway,
/// in the reply and, for a gateway whose client left, in the <see cref="RoutedUsageLedger"/>.
/// </summary>
public sealed class RoutedCallerMiddleware(RequestDelegate next, ClusterSecret secret, RoutedUsageLedger ledger)
{
    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        var isApi = path.StartsWithSegments("/v1");
        if (!isApi && !path.StartsWithSegments("/internal")) return next(http);
        if (!secret.IsPresentedBy(http))
            throw ApiException.InvalidApiKey("This is a Provocapi worker: it serves only requests routed by a gateway, which carry the cluster secret.");
        if (!isApi) return next(http);
        var caller = CallerHeader.Read(http.Request.Headers[CallerHeader.Name])
            ?? throw ApiException.BadRequest($"A routed request needs the {CallerHeader.Name} header naming its caller.");
        http.Features.Set<Caller>(caller);
        var info = http.RequestInfo();
        info.ReportsUsage = true;
        // A whole reply's usage is complete when it starts; a stream's start is not, so a stream also reports at its end.
        http.Response.OnStarting(() =>
        {
            if (UsageReport.Of(info.Usage, info.ArrivedAt) is { } report) http.Response.Headers[UsageReport.Header] = report.ToJson();
            return Task.CompletedTask;
        });
        return RunAttemptAsync(http, info);
    }

    /// <summary>Runs the request, keeping what it used in the ledger under its attempt's name, if it has one.</summary>
    async Task RunAttemptAsync(HttpContext http, RequestInfo info)
    {
        var attempt = http.Request.Headers[RoutedAttempt.Header].ToString();
        var kept = RoutedAttempt.IsWellFormed(attempt) && ledger.Open(attempt);
        try
        {
            await next(http);
        }
        finally
        {
            if (kept) ledger.Close(attempt, UsageReport.Of(info.Usage, info.ArrivedAt) is { } report ? new RoutedAttempt.Usage(info.Model, report) : null);
        }
    }
}
