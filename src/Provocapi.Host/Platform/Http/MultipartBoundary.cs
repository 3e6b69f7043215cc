using Microsoft.Net.Http.Headers;

namespace Provocapi.Host.Platform.Http;

/// <summary>The boundary of an upload's <c>multipart/form-data</c> content type, for endpoints that stream their parts.</summary>
public static class MultipartBoundary
{
    public const int MaxLength = 200;

    /// <summary>The boundary, or null when the content type is not multipart/form-data or its boundary is missing or too long.</summary>
    public static string? Of(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 and <= MaxLength } boundary
            ? boundary
            : null;
}
