-- One row per metered request (see Modules/UsageAnalytics/Recording/UsageMiddleware.cs). Times are UTC; day is its date.
CREATE TABLE usage_requests (
    time_ms            INTEGER NOT NULL,
    day                TEXT    NOT NULL,
    request_id         TEXT    NOT NULL,
    tenant_id          TEXT    NOT NULL,
    key_id             TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    adapter            TEXT,
    endpoint           TEXT    NOT NULL,
    prompt_tokens      INTEGER NOT NULL,
    completion_tokens  INTEGER NOT NULL,
    latency_ms         REAL    NOT NULL,
    ttft_ms            REAL,
    queue_ms           REAL    NOT NULL,
    status             INTEGER NOT NULL,
    batch              INTEGER NOT NULL,
    cost               REAL    NOT NULL
);

-- The usage report reads only this index (it covers every column the report needs), one tenant's days in
-- (day, model) order and each group's latencies already sorted.
CREATE INDEX usage_requests_report ON usage_requests (tenant_id, day, model, latency_ms, ttft_ms, prompt_tokens, completion_tokens, cost);
