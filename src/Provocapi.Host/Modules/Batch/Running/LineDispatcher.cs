using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>
/// Runs a batch line through the same endpoint an HTTP request to its <c>url</c> reaches, in process: the same
/// parsing, validation, errors and response body, with the job's tenant as the caller, marked as batch work (batch
/// priority in the scheduler, no per-minute limits, half price). Only the JSON POST endpoints batch may call are found.
/// </summary>
public sealed class LineDispatcher(EndpointDataSource endpoints, IServiceScopeFactory scopes, ILogger<LineDispatcher> logger)
{
    public static readonly string[] Urls = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"];

    Dictionary<string, Endpoint>? _byUrl;

    Dictionary<string, Endpoint> ByUrl => _byUrl ??= endpoints.Endpoints.OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText is { } raw && Urls.Contains(raw)
                    && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
        .ToDictionary(e => e.RoutePattern.RawText!, e => (Endpoint)e);

    public async Task<LineResult> RunAsync(ClaimedLine line, Caller caller, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = cancellationToken };
        var info = new RequestInfo(ResponseHeadersMiddleware.NewRequestId());
        info.Usage.IsBatch = true;
        http.Features.Set(info);
        http.Features.Set(caller);
        var body = Encoding.UTF8.GetBytes(line.Body);
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = line.Url;
        http.Request.ContentType = "application/json";
        http.Request.ContentLength = body.Length;
        http.Request.Body = new MemoryStream(body);
        var output = new MemoryStream();
        var response = new LineResponseFeature();
        http.Features.Set<IHttpResponseFeature>(response);
        http.Response.Body = output;
        var endpoint = ByUrl[line.Url];
        http.SetEndpoint(endpoint);
        try
        {
            await new ApiErrorMiddleware(endpoint.RequestDelegate!, scope.ServiceProvider.GetRequiredService<ILogger<ApiErrorMiddleware>>()).InvokeAsync(http);
        }
        finally
        {
            await response.CompleteAsync();
        }
        cancellationToken.ThrowIfCancellationRequested();
        scope.ServiceProvider.GetService<IRequestRecorder>()?.RequestEnded(http, http.Response.StatusCode);
        var text = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
        var status = http.Response.StatusCode;
        if (status is >= 200 and < 300) return new LineResult(status, info.RequestId, text, null, null);
        var (code, message) = ErrorOf(text, status);
        if (status >= 500) logger.LogWarning("batch {Job} line {Line} failed with {Status}: {Message}", line.JobId, line.Line, status, message);
        return new LineResult(status, info.RequestId, text, code, message);
    }

    static (string Code, string Message) ErrorOf(string body, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var error = json.RootElement.GetProperty("error");
            return (error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : $"http_{status}",
                error.GetProperty("message").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return ($"http_{status}", body);
        }
    }

    /// <summary>
    /// A response with no server behind it still ends: what endpoints register for the end (disposing what they held
    /// for the request, such as an adapter) runs when the line is done, as the server runs it after a response.
    /// </summary>
    sealed class LineResponseFeature : HttpResponseFeature
    {
        readonly Stack<(Func<object, Task> Callback, object State)> _completed = new();

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Push((callback, state));

        public async Task CompleteAsync()
        {
            while (_completed.TryPop(out var c)) await c.Callback(c.State);
        }
    }
}
