using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Batch.Get;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Batch.Output;

/// <summary>
/// <c>GET /v1/batch/{id}/output</c>: JSONL, one line per finished input line in input order, streamed from the store:
/// <c>{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}</c>. A line whose request
/// failed has its error body and <c>error</c> set. Available at any time: finished lines of a running, cancelled or
/// expired job are there.
/// </summary>
public static class BatchOutputEndpoint
{
    public static RouteHandlerBuilder MapBatchOutput(this IEndpointRouteBuilder group) =>
        group.MapGet("/batch/{id}/output", HandleAsync)
            .WithName("getBatchOutput")
            .WithSummary("Download a batch job's results as JSONL, one line per finished request, in input order.")
            .Produces(StatusCodes.Status200OK, contentType: "application/jsonl")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);

    static async Task HandleAsync(HttpContext http, BatchStore store, string id)
    {
        var job = GetBatchEndpoint.Require(store, id, http.Caller());
        http.Response.ContentType = "application/jsonl";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.Id}_output.jsonl\"";
        var writerOptions = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        foreach (var result in store.Results(job.Id))
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, writerOptions))
            {
                json.WriteStartObject();
                json.WriteString("id", $"{job.Id}_req_{result.Line}");
                json.WriteString("custom_id", result.CustomId);
                json.WriteStartObject("response");
                json.WriteNumber("status_code", result.StatusCode);
                json.WriteString("request_id", result.RequestId);
                json.WritePropertyName("body");
                json.WriteRawValue(result.Response);
                json.WriteEndObject();
                json.WritePropertyName("error");
                if (result.Error is { } error) json.WriteRawValue(error);
                else json.WriteNullValue();
                json.WriteEndObject();
            }
            System.Buffers.BuffersExtensions.Write(buffer, "\n"u8);
            await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
        }
    }
}
