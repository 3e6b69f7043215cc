using System.Data.Common;
using Dapper;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Store;

namespace Provocapi.Host.Modules.Batch;

/// <summary>
/// Jobs, lines and results in the store (Dapper over SQLite or PostgreSQL). Any number of processes share the lines:
/// each claims some with a lease in the name of its instance (<see cref="NodeIdentity.Instance"/>), renews the lease
/// while they run, and may record or release a line only while it still holds it. A holder that dies stops renewing,
/// and once its leases pass another process claims its lines. Every job state move is a conditional UPDATE, so
/// several supervisors may try it at once and one wins.
/// </summary>
public sealed class BatchStore(Database store, NodeIdentity node)
{
    const string JobColumns = """
        id AS Id, tenant_id AS TenantId, tenant_name AS TenantName, tier AS Tier, key_id AS KeyId, endpoint AS Endpoint, status AS Status,
        input_path AS InputPath, total_requests AS TotalRequests, completed_count AS CompletedCount, failed_count AS FailedCount,
        metadata AS Metadata, errors AS Errors, created_at AS CreatedAt, in_progress_at AS InProgressAt, completed_at AS CompletedAt,
        failed_at AS FailedAt, cancelling_at AS CancellingAt, cancelled_at AS CancelledAt, expired_at AS ExpiredAt, expires_at AS ExpiresAt, input_node AS InputNode
        """;

    public void Insert(BatchJob job)
    {
        using var connection = store.Open();
        connection.Execute(
            """
            INSERT INTO batch_jobs (id, tenant_id, tenant_name, tier, key_id, endpoint, status, input_path, total_requests, metadata, created_at, expires_at, input_node)
            VALUES (@Id, @TenantId, @TenantName, @Tier, @KeyId, @Endpoint, @Status, @InputPath, @TotalRequests, @Metadata, @CreatedAt, @ExpiresAt, @InputNode)
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

    /// <summary>Jobs waiting for validation whose file is on <paramref name="nodeId"/>'s disk (or, stored before leases, on the lone process's).</summary>
    public IReadOnlyList<BatchJob> ToValidate(string nodeId)
    {
        using var connection = store.Open();
        return connection.Query<BatchJob>(
            $"SELECT {JobColumns} FROM batch_jobs WHERE status = @validating AND (input_node = @nodeId OR input_node IS NULL) ORDER BY created_at",
            new { validating = BatchStatus.Validating, nodeId }).ToList();
    }

    /// <summary>Jobs still waiting for validation that were created before <paramref name="createdBefore"/>, on any node.</summary>
    public IReadOnlyList<string> ValidatingSince(long createdBefore)
    {
        using var connection = store.Open();
        return connection.Query<string>("SELECT id FROM batch_jobs WHERE status = @validating AND created_at < @createdBefore",
            new { validating = BatchStatus.Validating, createdBefore }).ToList();
    }

    /// <summary>
    /// Starts a validated job and stores its lines, in one transaction; false, with nothing stored, when the job is no
    /// longer validating (cancelled meanwhile, or started by another process).
    /// </summary>
    public bool Start(string jobId, IReadOnlyList<BatchLine> lines, long now)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        // The job row first: on Postgres its lock makes a second starter wait, then find the job started and store nothing.
        var started = connection.Execute(
            "UPDATE batch_jobs SET status = @status, in_progress_at = @now, total_requests = @total WHERE id = @jobId AND status = @validating",
            new { jobId, now, total = lines.Count, status = BatchStatus.InProgress, validating = BatchStatus.Validating }, transaction) == 1;
        if (!started) return false;
        connection.Execute(
            "INSERT INTO batch_lines (job_id, line, custom_id, url, body, model) VALUES (@jobId, @Line, @CustomId, @Url, @Body, @Model)",
            lines.Select(l => new { jobId, l.Line, l.CustomId, l.Url, l.Body, l.Model }), transaction);
        transaction.Commit();
        return true;
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

    /// <summary>
    /// For a lone process at start (role <c>all</c> on SQLite): nothing else runs lines, so those a killed process left
    /// running go back to pending now rather than when their leases pass (their results were never stored).
    /// </summary>
    public int ResetRunning()
    {
        using var connection = store.Open();
        return connection.Execute("UPDATE batch_lines SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'running'");
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> lines of running jobs, oldest job first, leased to this process until
    /// <paramref name="now"/> + <paramref name="lease"/>: pending lines that are due, and running lines whose lease has
    /// passed (their holder died). With <paramref name="models"/>, only lines for those models, each for the tenants it
    /// serves. On Postgres the rows are locked with SKIP LOCKED, so claimers never wait for each other and never take
    /// the same line.
    /// </summary>
    public IReadOnlyList<ClaimedLine> Claim(int count, DateTimeOffset now, TimeSpan lease, IReadOnlyCollection<ClaimableModel>? models = null)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var parameters = new DynamicParameters(new { status = BatchStatus.InProgress, count, seconds = now.ToUnixTimeSeconds(), nowMs });
        var served = models == null ? "" : $"AND (l.model IS NULL OR {Served(models, parameters)})";
        var skipLocked = store.LockSkippingLocked("l");
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        AbandonLost(connection, transaction, now);
        var lines = connection.Query<ClaimedLine>(
            $"""
            SELECT l.job_id AS JobId, l.line AS Line, l.custom_id AS CustomId, l.url AS Url, l.body AS Body,
                   j.tenant_id AS TenantId, j.tenant_name AS TenantName, j.tier AS Tier, j.key_id AS KeyId, l.attempts AS Attempts
            FROM batch_jobs j JOIN batch_lines l ON l.job_id = j.id
            WHERE j.status = @status
              AND ((l.state = 'pending' AND l.not_before <= @seconds) OR (l.state = 'running' AND l.lease_until < @nowMs))
              {served}
            ORDER BY j.{store.InsertOrder}, l.line LIMIT @count {skipLocked}
            """, parameters, transaction).ToList();
        var until = nowMs + (long)lease.TotalMilliseconds;
        connection.Execute(
            """
            UPDATE batch_lines SET state = 'running', attempts = attempts + 1, lost = lost + CASE WHEN state = 'running' THEN 1 ELSE 0 END,
                lease_owner = @owner, lease_until = @until
            WHERE job_id = @JobId AND line = @Line
            """,
            lines.Select(l => new { l.JobId, l.Line, owner = node.Instance, until }), transaction);
        transaction.Commit();
        return lines;
    }

    /// <summary>
    /// The condition on a line's model (<c>l</c>) and job (<c>j</c>) for <paramref name="models"/>: the models every
    /// tenant may use in one list, each restricted one with its tenants.
    /// </summary>
    string Served(IReadOnlyCollection<ClaimableModel> models, DynamicParameters parameters)
    {
        var open = models.Where(m => m.Tenants.Count == 0).Select(m => m.Name).ToArray();
        parameters.Add("open", open);
        var terms = new List<string> { store.IsAnyOf("l.model", "@open") };
        var i = 0;
        foreach (var model in models.Where(m => m.Tenants.Count > 0))
        {
            parameters.Add($"model{i}", model.Name);
            parameters.Add($"tenants{i}", model.Tenants.ToArray());
            terms.Add($"(l.model = @model{i} AND {store.IsAnyOf("j.tenant_name", $"@tenants{i}")})");
            i++;
        }
        return "(" + string.Join(" OR ", terms) + ")";
    }

    /// <summary>A line whose lease runs out this many times is recorded as failed instead of run again: it may be what kills its workers.</summary>
    public const int MaxLosses = 3;

    static readonly string AbandonedError = ErrorJson("line_abandoned", $"The line's worker stopped responding {MaxLosses} times while running it, so it was not run again.");

    /// <summary>A line's error as stored: the OpenAI error's code and message.</summary>
    static string ErrorJson(string code, string? message) => System.Text.Json.JsonSerializer.Serialize(new { code, message });

    /// <summary>Fails the lines of running jobs whose lease ran out for the <see cref="MaxLosses"/>th time, counting each once.</summary>
    void AbandonLost(DbConnection connection, DbTransaction transaction, DateTimeOffset now)
    {
        var jobs = connection.Query<string>(
            """
            UPDATE batch_lines SET state = 'done', status_code = 500, request_id = '', response = '{}', error = @error,
                finished_at = @seconds, lease_owner = NULL, lease_until = NULL
            WHERE state = 'running' AND lease_until < @nowMs AND lost >= @lost
              AND job_id IN (SELECT id FROM batch_jobs WHERE status = @status)
            RETURNING job_id
            """,
            new
            {
                nowMs = now.ToUnixTimeMilliseconds(), seconds = now.ToUnixTimeSeconds(), lost = MaxLosses - 1, status = BatchStatus.InProgress,
                error = AbandonedError,
            }, transaction).ToList();
        foreach (var job in jobs.GroupBy(j => j))
            connection.Execute("UPDATE batch_jobs SET failed_count = failed_count + @n WHERE id = @id", new { id = job.Key, n = job.Count() }, transaction);
    }

    /// <summary>Extends this process's leases on <paramref name="lines"/> to <paramref name="until"/>; how many it still held.</summary>
    public int Renew(IReadOnlyCollection<ClaimedLine> lines, DateTimeOffset until)
    {
        if (lines.Count == 0) return 0;
        var untilMs = until.ToUnixTimeMilliseconds();
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        var renewed = connection.Execute(
            "UPDATE batch_lines SET lease_until = @untilMs WHERE job_id = @JobId AND line = @Line AND state = 'running' AND lease_owner = @owner",
            lines.Select(l => new { l.JobId, l.Line, untilMs, owner = node.Instance }), transaction);
        transaction.Commit();
        return renewed;
    }

    /// <summary>
    /// Records a line's result and counts it, in one transaction, if this process still holds the line: a line is done
    /// exactly once, even when a slow holder and the claimer that took over its expired lease both ran it. False when
    /// it recorded nothing.
    /// </summary>
    public bool Finish(ClaimedLine line, LineResult result, long now)
    {
        using var connection = store.Open();
        using var transaction = store.BeginWrite(connection);
        // The job's row first: a job cancelled or expired meanwhile takes no more results, and on Postgres this row lock
        // orders the count against the supervisor's move to cancelled, so a claim that raced the cancel cannot add one later.
        var counted = connection.Execute(
            $"UPDATE batch_jobs SET completed_count = completed_count + @ok, failed_count = failed_count + @failed WHERE id = @JobId AND {store.IsAnyOf("status", "@open")}",
            new { line.JobId, ok = result.Succeeded ? 1 : 0, failed = result.Succeeded ? 0 : 1, open = new[] { BatchStatus.InProgress, BatchStatus.Cancelling } }, transaction);
        var updated = counted == 0 ? 0 : connection.Execute(
            """
            UPDATE batch_lines SET state = 'done', status_code = @StatusCode, request_id = @RequestId, response = @Body,
                error = @error, finished_at = @now
            WHERE job_id = @JobId AND line = @Line AND state = 'running' AND lease_owner = @owner
            """,
            new { line.JobId, line.Line, result.StatusCode, result.RequestId, result.Body, now, owner = node.Instance,
                  error = result.ErrorCode == null ? null : ErrorJson(result.ErrorCode, result.ErrorMessage) },
            transaction);
        if (updated == 1) transaction.Commit();
        else transaction.Rollback();
        return updated == 1;
    }

    /// <summary>Puts a line this process holds back to run again no earlier than <paramref name="notBefore"/> (the engine had no room for it, or this process stops).</summary>
    public bool Release(ClaimedLine line, long notBefore)
    {
        using var connection = store.Open();
        return connection.Execute(
            """
            UPDATE batch_lines SET state = 'pending', not_before = @notBefore, lease_owner = NULL, lease_until = NULL
            WHERE job_id = @JobId AND line = @Line AND state = 'running' AND lease_owner = @owner
            """, new { line.JobId, line.Line, notBefore, owner = node.Instance }) == 1;
    }

    /// <summary>Moves cancelling jobs to cancelled once no line of theirs holds a live lease (a dead holder's lines do not count).</summary>
    public IReadOnlyList<string> CancelIdle(DateTimeOffset now)
    {
        using var connection = store.Open();
        return connection.Query<string>(
            """
            UPDATE batch_jobs SET status = @cancelled, cancelled_at = @seconds
            WHERE status = @cancelling
              AND NOT EXISTS (SELECT 1 FROM batch_lines l WHERE l.job_id = batch_jobs.id AND l.state = 'running' AND l.lease_until >= @nowMs)
            RETURNING id
            """, new { cancelled = BatchStatus.Cancelled, cancelling = BatchStatus.Cancelling, seconds = now.ToUnixTimeSeconds(), nowMs = now.ToUnixTimeMilliseconds() }).ToList();
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
