using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provocapi.Host.Modules.Batch;

/// <summary>A job as the API shows it (OpenAI's batch object, with the spec's flat counts).</summary>
public sealed record BatchObject
{
    public required string Id { get; init; }
    [JsonPropertyOrder(-1)]
    public string Object => "batch";
    public required string Endpoint { get; init; }
    public required string Status { get; init; }
    public long TotalRequests { get; init; }
    public long CompletedCount { get; init; }
    public long FailedCount { get; init; }
    public long CreatedAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long? InProgressAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long? CompletedAt { get; init; }
    public long? FailedAt { get; init; }
    public long? CancellingAt { get; init; }
    public long? CancelledAt { get; init; }
    public long? ExpiredAt { get; init; }
    public long ExpiresAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public JsonElement? Metadata { get; init; }
    /// <summary>Why validation failed: <c>{"object": "list", "data": [{"line", "message", ...}]}</c>, the first 100.</summary>
    public JsonElement? Errors { get; init; }

    public static BatchObject Of(BatchJob job) => new()
    {
        Id = job.Id,
        Endpoint = job.Endpoint,
        Status = job.Status,
        TotalRequests = job.TotalRequests,
        CompletedCount = job.CompletedCount,
        FailedCount = job.FailedCount,
        CreatedAt = job.CreatedAt,
        InProgressAt = job.InProgressAt,
        CompletedAt = job.CompletedAt,
        FailedAt = job.FailedAt,
        CancellingAt = job.CancellingAt,
        CancelledAt = job.CancelledAt,
        ExpiredAt = job.ExpiredAt,
        ExpiresAt = job.ExpiresAt,
        Metadata = job.Metadata is { } m ? JsonSerializer.Deserialize<JsonElement>(m) : null,
        Errors = job.Errors is { } e ? JsonSerializer.Deserialize<JsonElement>(e) : null,
    };
}

/// <summary><c>GET /v1/batch</c>'s page.</summary>
public sealed record BatchList(IReadOnlyList<BatchObject> Data, string? FirstId, string? LastId, bool HasMore)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}
