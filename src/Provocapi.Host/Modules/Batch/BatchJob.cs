namespace Provocapi.Host.Modules.Batch;

/// <summary>A job's row in the store. Times are Unix seconds.</summary>
public sealed record BatchJob
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string TenantName { get; init; }
    public required string Tier { get; init; }
    public required string KeyId { get; init; }
    public required string Endpoint { get; init; }
    public required string Status { get; init; }
    public required string InputPath { get; init; }
    public long TotalRequests { get; init; }
    public long CompletedCount { get; init; }
    public long FailedCount { get; init; }
    public string? Metadata { get; init; }
    public string? Errors { get; init; }
    public long CreatedAt { get; init; }
    public long? InProgressAt { get; init; }
    public long? CompletedAt { get; init; }
    public long? FailedAt { get; init; }
    public long? CancellingAt { get; init; }
    public long? CancelledAt { get; init; }
    public long? ExpiredAt { get; init; }
    public long ExpiresAt { get; init; }
    /// <summary>The node whose disk holds the uploaded file: only it can validate the job (null for jobs stored before leases).</summary>
    public string? InputNode { get; init; }
}

/// <summary>One input line, as validated and stored. <see cref="Model"/> is the body's model without its adapter, so a worker claims only lines it serves.</summary>
public sealed record BatchLine(int Line, string CustomId, string Url, string Body, string? Model);

/// <summary>A line claimed for running. <see cref="Attempts"/> is the stored column (read as a column, not an expression: SQLite
/// gives an expression no type when a query finds no rows, and Dapper then cannot map it).</summary>
public sealed record ClaimedLine(string JobId, long Line, string CustomId, string Url, string Body, string TenantId, string TenantName, string Tier, string KeyId, long Attempts)
{
    /// <summary>This run's try, counting from 1.</summary>
    public long Attempt => Attempts + 1;
}

/// <summary>What running a line gave: the HTTP status and body its endpoint answered.</summary>
public sealed record LineResult(int StatusCode, string RequestId, string Body, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>A model a worker can run batch lines for, by one of its names, for <paramref name="Tenants"/> (empty: every tenant).</summary>
public sealed record ClaimableModel(string Name, IReadOnlyList<string> Tenants);
