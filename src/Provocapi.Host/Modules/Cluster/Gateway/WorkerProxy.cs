using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provocapi.Host.Modules.Cluster.Registry;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Http;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// Sends a tenant's request to a worker and relays the reply. A worker that fails before anything reached the client
/// (unreachable, a 5xx, a connection lost before the first byte of the reply) costs one retry on another worker; a
/// stream that breaks after it started ends with an error event and <c>[DONE]</c>; otherwise the client gets a 502.
/// The worker's headers become the reply's (its id in <c>X-Provocapi-Worker</c>, its queue time, its token limits), and
/// its usage report meters the request here, where usage is recorded. A client that leaves first is metered by what
/// the worker says the attempt used when asked after (<see cref="RoutedAttempt"/>).
/// </summary>
public sealed class WorkerProxy(HttpClient client, WorkerRouter router, WorkerDirectory directory, ClusterSecret secret, ILogger<WorkerProxy> logger)
{
    public const int Attempts = 2;

    /// <summary>Worker headers the client sees as they are (the rest are the worker's business or rewritten here).</summary>
    static readonly string[] RelayedHeaders = ["Content-Type", "Cache-Control", "X-Accel-Buffering", "Retry-After"];

    /// <summary>Where one attempt ended: done (the client has its reply), or failed before the client saw anything.</summary>
    abstract record Outcome
    {
        public sealed record Done : Outcome;
        public sealed record Unreachable(string Reason) : Outcome;
        public sealed record ServerError(WorkerRecord Worker, AttemptMeter Meter, int Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, byte[] Body) : Outcome;
    }

    public async Task ForwardAsync(HttpContext http, ReadOnlyMemory<byte> body, string model, string? adapter, int sequences)
    {
        var caller = http.Caller();
        var callerHeader = CallerHeader.Write(caller);
        var tried = new List<string>(Attempts);
        Outcome? last = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (router.Pick(model, adapter, caller, tried) is not { Worker: var worker } route) break;
            tried.Add(worker.Id);
            if (attempt > 0) GatewayMetrics.Retried();
            using (directory.Enter(worker.Id, route.Model.Id, sequences))
                last = await AttemptAsync(http, worker, body, callerHeader);
            GatewayMetrics.Attempted(worker.Id, last switch { Outcome.Done => "served", Outcome.Unreachable => "unreachable", _ => "server_error" });
            if (last is Outcome.Done) return;
            if (last is Outcome.Unreachable) directory.Failed(worker);
            logger.LogWarning("worker {Worker} failed request {Request} ({Outcome}){Retry}", worker.Id, http.RequestInfo().RequestId,
                last is Outcome.Unreachable u ? u.Reason : $"status {((Outcome.ServerError)last).Status}", attempt + 1 < Attempts ? "; retrying on another" : "");
        }
        switch (last)
        {
            case null when !router.Knows(model, caller):
                throw ApiException.ModelNotFound(adapter == null ? model : $"{model}:{adapter}");
            case null:
                GatewayMetrics.NoWorker();
                throw ApiException.Unavailable($"No healthy workers for the requested model '{model}'. Please try again shortly.", "no_healthy_workers", 1);
            case Outcome.ServerError error:
                await RelayAsync(http, error);
                return;
            case Outcome.Unreachable unreachable:
                throw ApiException.Upstream($"Upstream worker error: {unreachable.Reason}.");
        }
    }

    async Task<Outcome> AttemptAsync(HttpContext http, WorkerRecord worker, ReadOnlyMemory<byte> body, string callerHeader)
    {
        var info = http.RequestInfo();
        var meter = new AttemptMeter(RoutedAttempt.NewId());
        using var request = new HttpRequestMessage(HttpMethod.Post, worker.Url + http.Request.Path + http.Request.QueryString)
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", secret.AuthorizationValue);
        request.Headers.TryAddWithoutValidation(CallerHeader.Name, callerHeader);
        request.Headers.TryAddWithoutValidation(ResponseHeadersMiddleware.RequestIdHeader, info.RequestId);
        request.Headers.TryAddWithoutValidation(RoutedAttempt.Header, meter.Id);
        try
        {
            HttpResponseMessage response;
            try { response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted); }
            catch (Exception e) when (IsWorkerFailure(e, http))
            {
                return Unreachable(worker, "could not be reached", e);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                var isStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
                if (status >= 500 || !isStream)
                {
                    byte[] whole;
                    try { whole = await response.Content.ReadAsByteArrayAsync(http.RequestAborted); }
                    catch (Exception e) when (IsWorkerFailure(e, http))
                    {
                        return Unreachable(worker, "broke off its reply", e);
                    }
                    if (status >= 500) return new Outcome.ServerError(worker, meter, status, response.Headers, response.Content.Headers, whole);
                    Adopt(http, worker, response.Headers, response.Content.Headers);
                    // Metered before the body is written, so a client gone during the write still pays for the reply.
                    meter.Final(ReportIn(response.Headers));
                    meter.ApplyTo(http);
                    http.Response.StatusCode = status;
                    await http.Response.Body.WriteAsync(whole, http.RequestAborted);
                    return new Outcome.Done();
                }
                return await StreamAsync(http, worker, response, meter);
            }
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            await ClaimAsync(http, worker, meter);
            throw;
        }
    }

    /// <summary>
    /// Relays a stream event by event. The client's response starts only with the first event, so a worker that dies
    /// before it is retried like any other; the usage comment is taken out; a break later ends the stream with an error
    /// event. A stream that ends is metered by the worker's final report, or, if the worker broke off, by the one its
    /// headers carried at the start (the prompt, not the reply); one whose client left, by a claim (see <see cref="ClaimAsync"/>).
    /// </summary>
    async Task<Outcome> StreamAsync(HttpContext http, WorkerRecord worker, HttpResponseMessage response, AttemptMeter meter)
    {
        var events = new SseEventReader(await response.Content.ReadAsStreamAsync(http.RequestAborted));
        meter.Report = ReportIn(response.Headers);
        string? first;
        try { first = await NextEventAsync(events, meter, http); }
        catch (Exception e) when (IsWorkerFailure(e, http))
        {
            return Unreachable(worker, "broke off its stream before the first event", e);
        }
        if (first == null) return new Outcome.Unreachable($"worker {worker.Id} ended its stream without an event");
        Adopt(http, worker, response.Headers, response.Content.Headers);
        http.Response.StatusCode = (int)response.StatusCode;
        var done = false;
        try
        {
            for (var text = first; text != null; text = await NextEventAsync(events, meter, http))
            {
                await http.Response.WriteAsync(text, http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                if (text.StartsWith("data: [DONE]", StringComparison.Ordinal)) done = true;
            }
        }
        catch (Exception e) when (IsWorkerFailure(e, http))
        {
            logger.LogWarning("worker {Worker} broke off stream {Request}: {Reason}", worker.Id, http.RequestInfo().RequestId, e.Message);
        }
        meter.ApplyTo(http);
        if (!done)
        {
            directory.Failed(worker);
            await new ServerSentEvents(http.Response).FailAsync(
                new ApiError("Upstream worker error: the worker serving this stream failed; the reply is incomplete.", "server_error", "upstream_error"));
        }
        return new Outcome.Done();
    }

    /// <summary>
    /// The client left before the attempt's final usage report reached us, and closing our link to the worker made it
    /// stop: asks the worker what the attempt used up to then, so the request is metered for the tokens it did cost.
    /// Without an answer it is metered by the report it has, if any.
    /// </summary>
    async Task ClaimAsync(HttpContext http, WorkerRecord worker, AttemptMeter meter)
    {
        // A stream whose worker broke off was metered already, by what its worker last reported: nothing to ask.
        if (!meter.IsFinal && !meter.IsApplied)
        {
            using var timeout = new CancellationTokenSource(RoutedAttempt.ClaimWait + TimeSpan.FromSeconds(5));
            using var claim = new HttpRequestMessage(HttpMethod.Post, worker.Url + RoutedAttempt.UsagePath(meter.Id));
            claim.Headers.TryAddWithoutValidation("Authorization", secret.AuthorizationValue);
            try
            {
                using var response = await client.SendAsync(claim, timeout.Token);
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<RoutedAttempt.Usage>(ApiJson.Options, timeout.Token) is { } usage)
                {
                    http.RequestInfo().Model ??= usage.Model;
                    meter.Final(usage.Report);
                }
                else logger.LogWarning("worker {Worker} had no usage for abandoned request {Request} (status {Status})", worker.Id, http.RequestInfo().RequestId, (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException)
            {
                logger.LogWarning("worker {Worker} could not say what abandoned request {Request} used: {Reason}", worker.Id, http.RequestInfo().RequestId, e.Message);
            }
        }
        meter.ApplyTo(http);
    }

    /// <summary>
    /// What one attempt is metered by: the worker's report so far (a stream's headers carry its prompt), final once
    /// the whole reply's headers, a stream's closing comment or a claim gave it. Applied to the request once.
    /// </summary>
    sealed class AttemptMeter(string id)
    {
        readonly long _sentAt = Stopwatch.GetTimestamp();
        bool _applied;

        public string Id { get; } = id;
        public UsageReport? Report { get; set; }
        public bool IsFinal { get; private set; }
        public bool IsApplied => _applied;

        public void Final(UsageReport? report)
        {
            Report = report ?? Report;
            IsFinal = true;
        }

        /// <summary>Meters the request with the report, the first time only; the worker had it from this attempt's start.</summary>
        public void ApplyTo(HttpContext http)
        {
            if (_applied) return;
            _applied = true;
            Report?.ApplyTo(http.RequestUsage(), _sentAt);
        }
    }

    /// <summary>The next event to relay (its text with the blank line that ends it), taking any usage report out; null at the end.</summary>
    static async Task<string?> NextEventAsync(SseEventReader events, AttemptMeter meter, HttpContext http)
    {
        while (await events.ReadAsync(http.RequestAborted) is { } text)
        {
            if (!text.StartsWith(UsageReport.CommentPrefix, StringComparison.Ordinal)) return text;
            if (UsageReport.Parse(text[UsageReport.CommentPrefix.Length..].TrimEnd()) is { } report) meter.Final(report);
        }
        return null;
    }

    /// <summary>Takes the worker's reply headers: relayed ones as they are, the worker's identity, model and queue time into this request's headers.</summary>
    static void Adopt(HttpContext http, WorkerRecord worker, HttpResponseHeaders headers, HttpContentHeaders content)
    {
        var info = http.RequestInfo();
        info.Worker = Value(headers, ResponseHeadersMiddleware.WorkerHeader) ?? worker.Id;
        if (Value(headers, ResponseHeadersMiddleware.ModelHeader) is { } model) info.Model = model;
        if (long.TryParse(Value(headers, ResponseHeadersMiddleware.QueueMsHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var queueMs))
            info.QueueTime = TimeSpan.FromMilliseconds(queueMs);
        foreach (var name in RelayedHeaders)
            if ((Value(headers, name) ?? Value(content, name)) is { } value) http.Response.Headers[name] = value;
        foreach (var (name, values) in headers)
            if (name.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase) && name.EndsWith("-tokens", StringComparison.OrdinalIgnoreCase))
                http.Response.Headers[name] = string.Join(",", values);
    }

    /// <summary>What the client may read (the worker's name, not its address or the socket error, which go to the log).</summary>
    Outcome.Unreachable Unreachable(WorkerRecord worker, string what, Exception e)
    {
        logger.LogWarning("worker {Worker} at {Url} {What}: {Reason}", worker.Id, worker.Url, what, e.Message);
        return new Outcome.Unreachable($"worker {worker.Id} {what}");
    }

    /// <summary>The last worker's 5xx, as it answered.</summary>
    static async Task RelayAsync(HttpContext http, Outcome.ServerError error)
    {
        Adopt(http, error.Worker, error.Headers, error.ContentHeaders);
        error.Meter.Final(ReportIn(error.Headers));
        error.Meter.ApplyTo(http);
        http.Response.StatusCode = error.Status;
        await http.Response.Body.WriteAsync(error.Body, http.RequestAborted);
    }

    /// <summary>The usage report in a worker's reply headers.</summary>
    static UsageReport? ReportIn(HttpResponseHeaders headers) => UsageReport.Parse(Value(headers, UsageReport.Header));

    static string? Value(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>The worker's fault, not the client's going away (which ends the request with no retry).</summary>
    static bool IsWorkerFailure(Exception e, HttpContext http) =>
        !http.RequestAborted.IsCancellationRequested && e is HttpRequestException or IOException or OperationCanceledException;
}
