using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Modules.UsageAnalytics.Recording;

/// <summary>
/// Records one usage row when a metered request ends: one that an inference endpoint resolved to a model (see
/// <see cref="Platform.Metering.RequestUsage.Meter"/>), whatever its outcome, errors after that point included.
/// Requests refused before a model was known (no key, the requests-per-minute limit, unreadable JSON, an unknown
/// model) used nothing billable and are not recorded. Latency runs from arrival to the last byte written.
/// </summary>
public sealed class UsageMiddleware(RequestDelegate next, IRequestRecorder recorder)
{
    /// <summary>nginx's status for a client that went away before the response ended.</summary>
    public const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/v1"))
        {
            await next(http);
            return;
        }
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        catch (ApiException e)
        {
            status = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            status = ClientClosedRequest;
            throw;
        }
        finally
        {
            recorder.RequestEnded(http, status);
        }
    }
}

/// <summary>Turns a finished metered request into a <see cref="UsageRecord"/> for the recorder.</summary>
public sealed class UsageRequestRecorder(UsageRecorder recorder) : IRequestRecorder
{
    public void RequestEnded(HttpContext http, int status) => Record(http, status);

    void Record(HttpContext http, int status)
    {
        var info = http.RequestInfo();
        var usage = info.Usage;
        if (!usage.IsMetered || info.Model is not { } model || http.Features.Get<Caller>() is not { } caller) return;
        var now = Stopwatch.GetTimestamp();
        double? firstToken = usage.FirstTokenAt is var at and > 0 ? Stopwatch.GetElapsedTime(info.ArrivedAt, at).TotalMilliseconds : null;
        recorder.Record(new UsageRecord(
            DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(info.ArrivedAt, now),
            info.RequestId, caller.TenantId, caller.KeyId, model, usage.Adapter, http.Request.Path.Value ?? "",
            usage.PromptTokens, usage.CompletionTokens,
            Stopwatch.GetElapsedTime(info.ArrivedAt, now).TotalMilliseconds, firstToken, info.QueueTime.TotalMilliseconds,
            status, usage.IsBatch, (double)usage.Cost()));
    }
}
