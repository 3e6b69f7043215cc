-- Postgres twin of 0005_rate_buckets.sql: per-minute token buckets shared by every process, one row per tenant and kind.
CREATE TABLE rate_buckets (
    tenant_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    capacity   BIGINT NOT NULL,
    available  DOUBLE PRECISION NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);
