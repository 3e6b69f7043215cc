using Dapper;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Batch;

/// <summary>Jobs, lines and results in the store (Dapper over SQLite or PostgreSQL).</summary>
public sealed class BatchStore(Database store)
{
    const string JobColumns = """
        id AS Id, tenant_id AS TenantId, tenant_name AS TenantName, tier AS Tier, key_id AS KeyId, endpoint AS Endpoint, status AS Status,
        input_path AS InputPath, total_requests AS TotalRequests, completed_count AS CompletedCount, failed_count AS FailedCount,
        metadata AS Metadata, errors AS Errors, created_at AS CreatedAt, in_progress_at AS InProgressAt, completed_at AS CompletedAt,
        failed_at AS FailedAt, cancelling_at AS CancellingAt, cancelled_at AS CancelledAt, expired_at AS ExpiredAt, expires_at AS ExpiresAt
        """;

    public void Insert(BatchJob job)
    {
        using var connection = store.Open();
        connection.Execute(
            """
            INSERT INTO batch_jobs (id, tenant_id, tenant_name, tier, key_id, endpoint, status, input_path, total_requests, metadata, created_at, expires_at)
            VALUES (@Id, @TenantId, @TenantName, @Tier, @KeyId, @Endpoint, @Status, @InputPath, @TotalRequests, @Metadata, @CreatedAt, @ExpiresAt)
            """, job);
    }

    public BatchJob? Find(string id, string tenantId)
    {
        using var connection = store.Open();
        return connection.QuerySingleOrDefault<BatchJob>($"SELECT {JobColumns} FROM batch_jobs WHERE id = @id AND tenant_id = @tenantId", new { id, tenantId });
    }

    /// <summary>A tenant's jobs, newest first (by insertion: several may share a second), after the job <paramref name="after"/> when given.</summary>
    public IReadOnlyList<BatchJob> List(string tenantId, int limit, string? after)
    {
        var order = store.InsertOrder;
        using var connection = store.Open();
        return connection.Query<BatchJob>(
            $"""
            SELECT {JobColumns} FROM batch_jobs
            WHERE tenant_id = @tenantId AND (@after IS NULL OR {order} < (SELECT {order} FROM batch_jobs WHERE id = @after AND tenant_id = @tenantId))
            ORDER BY {order} DESC LIMIT @limit
            """, new { tenantId, limit, after }).ToList();
    }

    public int CountOpen(string tenantId)
    {
        using var connection = store.Open();
        return connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM batch_jobs WHERE tenant_id = @tenantId AND {store.IsAnyOf("status", "@open")}", new { tenantId, open = BatchStatus.Open });
    }

    public IReadOnlyList<BatchJob> WithStatus(string status)
    {
        using var connection = store.Open();
        return connection.Query<BatchJob>($"SELECT {JobColumns} FROM batch_jobs WHERE status = @status ORDER BY created_at", new { status }).ToList();
    }

    /// <summary>Stores a validated job's lines and starts it, in one transaction.</summary>
    public void Start(string jobId, IReadOnlyList<BatchLine> lines, long now)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        connection.Execute(
            "INSERT INTO batch_lines (job_id, line, custom_id, url, body) VALUES (@jobId, @Line, @CustomId, @Url, @Body)",
            lines.Select(l => new { jobId, l.Line, l.CustomId, l.Url, l.Body }), transaction);
        connection.Execute("UPDATE batch_jobs SET status = @status, in_progress_at = @now, total_requests = @total WHERE id = @jobId AND status = @validating",
            new { jobId, now, total = lines.Count, status = BatchStatus.InProgress, validating = BatchStatus.Validating }, transaction);
        transaction.Commit();
    }

    /// <summary>Moves a job from one status to another (if it is still in the first), stamping the matching time column.</summary>
    public bool Move(string jobId, string from, string to, long now, string? errors = null)
    {
        var stamp = to switch
        {
            BatchStatus.Completed => "completed_at",
            BatchStatus.Failed => "failed_at",
            BatchStatus.Cancelling => "cancelling_at",
            BatchStatus.Cancelled => "cancelled_at",
            BatchStatus.Expired => "expired_at",
            _ => throw new ArgumentOutOfRangeException(nameof(to), to, "no time column for this status"),
        };
        using var connection = store.Open();
        return connection.Execute($"UPDATE batch_jobs SET status = @to, {stamp} = @now, errors = COALESCE(@errors, errors) WHERE id = @jobId AND status = @from",
            new { jobId, from, to, now, errors }) == 1;
    }

    /// <summary>Open jobs whose completion window has passed.</summary>
    public IReadOnlyList<string> Overdue(long now)
    {
        using var connection = store.Open();
        return connection.Query<string>($"SELECT id FROM batch_jobs WHERE {store.IsAnyOf("status", "@open")} AND expires_at <= @now", new { open = BatchStatus.Open, now }).ToList();
    }

    /// <summary>After a restart nothing is running: lines left running by a killed process go back to pending (their results were never stored).</summary>
    public int ResetRunning()
    {
        using var connection = store.Open();
        return connection.Execute("UPDATE batch_lines SET state = 'pending' WHERE state = 'running'");
    }

    /// <summary>Takes up to <paramref name="count"/> pending lines of running jobs that are due, oldest job first, marking them running.</summary>
    public IReadOnlyList<ClaimedLine> Claim(int count, long now)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        var lines = connection.Query<ClaimedLine>(
            $"""
            SELECT l.job_id AS JobId, l.line AS Line, l.custom_id AS CustomId, l.url AS Url, l.body AS Body,
                   j.tenant_id AS TenantId, j.tenant_name AS TenantName, j.tier AS Tier, j.key_id AS KeyId, l.attempts AS Attempts
            FROM batch_jobs j JOIN batch_lines l ON l.job_id = j.id AND l.state = 'pending' AND l.not_before <= @now
            WHERE j.status = @status
            ORDER BY j.{store.InsertOrder}, l.line LIMIT @count {store.ForUpdate}
            """, new { status = BatchStatus.InProgress, count, now }, transaction).ToList();
        connection.Execute("UPDATE batch_lines SET state = 'running', attempts = attempts + 1 WHERE job_id = @JobId AND line = @Line", lines, transaction);
        transaction.Commit();
        return lines;
    }

    /// <summary>Records a line's result and counts it, in one transaction: a line is done exactly once.</summary>
    public void Finish(ClaimedLine line, LineResult result, long now)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        var updated = connection.Execute(
            """
            UPDATE batch_lines SET state = 'done', status_code = @StatusCode, request_id = @RequestId, response = @Body,
                error = @error, finished_at = @now
            WHERE job_id = @JobId AND line = @Line AND state = 'running'
            """,
            new { line.JobId, line.Line, result.StatusCode, result.RequestId, result.Body, now,
                  error = result.ErrorCode == null ? null : System.Text.Json.JsonSerializer.Serialize(new { code = result.ErrorCode, message = result.ErrorMessage }) },
            transaction);
        if (updated == 1)
            connection.Execute(
                "UPDATE batch_jobs SET completed_count = completed_count + @ok, failed_count = failed_count + @failed WHERE id = @JobId",
                new { line.JobId, ok = result.Succeeded ? 1 : 0, failed = result.Succeeded ? 0 : 1 }, transaction);
        transaction.Commit();
    }

    /// <summary>Puts a line back to run again no earlier than <paramref name="notBefore"/> (the engine had no room for it).</summary>
    public void Release(ClaimedLine line, long notBefore)
    {
        using var connection = store.Open();
        connection.Execute("UPDATE batch_lines SET state = 'pending', not_before = @notBefore WHERE job_id = @JobId AND line = @Line AND state = 'running'",
            new { line.JobId, line.Line, notBefore });
    }

    /// <summary>Completes running jobs that have no line left to run.</summary>
    public IReadOnlyList<string> CompleteFinished(long now)
    {
        using var connection = store.Open();
        return connection.Query<string>(
            """
            UPDATE batch_jobs SET status = @completed, completed_at = @now
            WHERE status = @running AND NOT EXISTS (SELECT 1 FROM batch_lines l WHERE l.job_id = batch_jobs.id AND l.state <> 'done')
            RETURNING id
            """, new { completed = BatchStatus.Completed, running = BatchStatus.InProgress, now }).ToList();
    }

    /// <summary>A job's finished lines in input order, streamed from the store (not buffered).</summary>
    public IEnumerable<StoredResult> Results(string jobId)
    {
        using var connection = store.Open();
        foreach (var row in connection.Query<StoredResult>(
                     """
                     SELECT line AS Line, custom_id AS CustomId, status_code AS StatusCode, request_id AS RequestId, response AS Response, error AS Error
                     FROM batch_lines WHERE job_id = @jobId AND state = 'done' ORDER BY line
                     """, new { jobId }, buffered: false))
            yield return row;
    }

    public sealed record StoredResult(long Line, string CustomId, long StatusCode, string RequestId, string Response, string? Error);
}
