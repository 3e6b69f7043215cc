using System.Text.Json.Serialization;

namespace Provocapi.Host.Platform.Errors;

/// <summary>The body of every error response: OpenAI's <c>{"error": {"message", "type", "code", "param"}}</c>.</summary>
public sealed record ErrorResponse(ApiError Error);

/// <summary>What went wrong, in OpenAI's terms: <c>code</c> and <c>param</c> are always present, null when they do not apply.</summary>
public sealed record ApiError(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param = null);
