using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Platform.Http;

/// <summary>An OpenAI-style event stream: <c>data: {json}</c> events, each flushed at once, ended by <c>data: [DONE]</c>.</summary>
public sealed class ServerSentEvents(HttpResponse response)
{
    static readonly byte[] DataPrefix = "data: "u8.ToArray();
    static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public bool Started => response.HasStarted;

    public Task StartAsync()
    {
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
        return response.StartAsync(response.HttpContext.RequestAborted);
    }

    public async Task WriteAsync<T>(T data)
    {
        var body = response.BodyWriter;
        body.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(body))
            JsonSerializer.Serialize(json, data, ApiJson.Options);
        body.Write(EventEnd);
        await body.FlushAsync(response.HttpContext.RequestAborted);
    }

    /// <summary>An error after the stream started: the error object as an event, then <c>[DONE]</c>.</summary>
    public async Task FailAsync(ApiError error)
    {
        await WriteAsync(new ErrorResponse(error));
        await DoneAsync();
    }

    public async Task DoneAsync()
    {
        var info = response.HttpContext.RequestInfo();
        if (info.ReportsUsage && UsageReport.Of(info.Usage, info.ArrivedAt) is { } report)
            response.BodyWriter.Write(Encoding.UTF8.GetBytes(UsageReport.CommentPrefix + report.ToJson() + "\n\n"));
        response.BodyWriter.Write(Done);
        await response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted);
    }
}
