-- Batch jobs and their lines. A line's result is written in the same transaction that counts it, so after a crash a
-- line is either done (and never run again) or pending (and run once more).
CREATE TABLE batch_jobs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    tenant_name     TEXT NOT NULL,
    tier            TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    status          TEXT NOT NULL,
    input_path      TEXT NOT NULL,
    total_requests  INTEGER NOT NULL,
    completed_count INTEGER NOT NULL DEFAULT 0,
    failed_count    INTEGER NOT NULL DEFAULT 0,
    metadata        TEXT,
    errors          TEXT,
    created_at      INTEGER NOT NULL,
    in_progress_at  INTEGER,
    completed_at    INTEGER,
    failed_at       INTEGER,
    cancelling_at   INTEGER,
    cancelled_at    INTEGER,
    expired_at      INTEGER,
    expires_at      INTEGER NOT NULL
);

-- Listing goes newest first by rowid, which every index carries.
CREATE INDEX batch_jobs_tenant ON batch_jobs (tenant_id);
CREATE INDEX batch_jobs_status ON batch_jobs (status);

CREATE TABLE batch_lines (
    job_id      TEXT NOT NULL REFERENCES batch_jobs (id),
    line        INTEGER NOT NULL,
    custom_id   TEXT NOT NULL,
    url         TEXT NOT NULL,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL DEFAULT 0,
    status_code INTEGER,
    request_id  TEXT,
    response    TEXT,
    error       TEXT,
    finished_at INTEGER,
    PRIMARY KEY (job_id, line)
);

CREATE INDEX batch_lines_state ON batch_lines (job_id, state, line);
