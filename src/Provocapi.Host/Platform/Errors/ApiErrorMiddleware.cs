using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Platform.Errors;

/// <summary>
/// The one place errors become responses: <see cref="ApiException"/>s with their status, Kestrel's bad-request
/// errors (oversized or malformed bodies) with theirs, anything unexpected as a 500 without internals. A client
/// that went away gets nothing.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client disconnected; there is no one to answer.
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            foreach (var (name, value) in e.Headers) http.Response.Headers[name] = value;
            await WriteAsync(http, e.StatusCode, e.Error);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            var error = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new ApiError("The request body is too large.", "invalid_request_error", "request_too_large")
                : new ApiError($"Bad request: {e.Message}", "invalid_request_error");
            await WriteAsync(http, e.StatusCode, error);
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            logger.LogError(e, "unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            await WriteAsync(http, StatusCodes.Status500InternalServerError,
                new ApiError("The server had an error while processing your request.", "server_error"));
        }
    }

    public static async Task WriteAsync(HttpContext http, int statusCode, ApiError error)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, new ErrorResponse(error), ApiJson.Options, http.RequestAborted);
    }

    /// <summary>Errors the framework answers without a body (unknown route, wrong method), given the envelope.</summary>
    public static ApiError ForBareStatus(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => new ApiError(
            $"Unknown request URL: {http.Request.Method} {http.Request.Path}. Please check the URL for typos.", "invalid_request_error", "unknown_url"),
        StatusCodes.Status405MethodNotAllowed => new ApiError(
            $"Method {http.Request.Method} is not allowed for {http.Request.Path}.", "invalid_request_error", "method_not_allowed"),
        StatusCodes.Status413PayloadTooLarge => new ApiError("The request body is too large.", "invalid_request_error", "request_too_large"),
        StatusCodes.Status415UnsupportedMediaType => new ApiError("Unsupported content type.", "invalid_request_error", "unsupported_media_type"),
        var status => new ApiError($"The request failed with status {status}.", status >= 500 ? "server_error" : "invalid_request_error"),
    };
}
