using Microsoft.AspNetCore.Http;

namespace Provocapi.Host.Platform.Errors;

/// <summary>
/// A request that ends in an error response. Thrown anywhere below an endpoint and written in one place
/// (<see cref="ApiErrorMiddleware"/>), so every error has the same shape.
/// </summary>
public sealed class ApiException(int statusCode, ApiError error, IReadOnlyDictionary<string, string>? headers = null) : Exception(error.Message)
{
    public int StatusCode { get; } = statusCode;
    public ApiError Error { get; } = error;
    /// <summary>Headers the response must carry (Retry-After, rate-limit state).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; } = headers ?? new Dictionary<string, string>();

    public static ApiException BadRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, new ApiError(message, "invalid_request_error", code, param));

    public static ApiException InvalidApiKey(string message) =>
        new(StatusCodes.Status401Unauthorized, new ApiError(message, "invalid_request_error", "invalid_api_key"));

    public static ApiException ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, new ApiError($"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found", "model"));

    public static ApiException AdapterNotFound(string adapter) =>
        new(StatusCodes.Status404NotFound, new ApiError($"The adapter '{adapter}' does not exist or you do not have access to it.", "invalid_request_error", "adapter_not_found", "model"));

    public static ApiException TooLarge(string message) =>
        new(StatusCodes.Status413PayloadTooLarge, new ApiError(message, "invalid_request_error", "request_too_large"));

    public static ApiException Unavailable(string message, string code, int retryAfterSeconds) =>
        new(StatusCodes.Status503ServiceUnavailable, new ApiError(message, "server_error", code),
            new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public static ApiException Upstream(string message) =>
        new(StatusCodes.Status502BadGateway, new ApiError(message, "server_error", "upstream_error"));
}
