-- Postgres twin of 0004_batch.sql. A line's result is written in the same transaction that counts it.
CREATE TABLE batch_jobs (
    id              TEXT PRIMARY KEY,
    -- Insertion order, for listing newest first (SQLite uses its rowid): several jobs may share a second.
    seq             BIGSERIAL NOT NULL UNIQUE,
    tenant_id       TEXT NOT NULL,
    tenant_name     TEXT NOT NULL,
    tier            TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    status          TEXT NOT NULL,
    input_path      TEXT NOT NULL,
    total_requests  BIGINT NOT NULL,
    completed_count BIGINT NOT NULL DEFAULT 0,
    failed_count    BIGINT NOT NULL DEFAULT 0,
    metadata        TEXT,
    errors          TEXT,
    created_at      BIGINT NOT NULL,
    in_progress_at  BIGINT,
    completed_at    BIGINT,
    failed_at       BIGINT,
    cancelling_at   BIGINT,
    cancelled_at    BIGINT,
    expired_at      BIGINT,
    expires_at      BIGINT NOT NULL
);

CREATE INDEX batch_jobs_tenant ON batch_jobs (tenant_id, seq);
CREATE INDEX batch_jobs_status ON batch_jobs (status);

CREATE TABLE batch_lines (
    job_id      TEXT NOT NULL REFERENCES batch_jobs (id),
    line        BIGINT NOT NULL,
    custom_id   TEXT NOT NULL,
    url         TEXT NOT NULL,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    not_before  BIGINT NOT NULL DEFAULT 0,
    status_code BIGINT,
    request_id  TEXT,
    response    TEXT,
    error       TEXT,
    finished_at BIGINT,
    PRIMARY KEY (job_id, line)
);

CREATE INDEX batch_lines_state ON batch_lines (job_id, state, line);
