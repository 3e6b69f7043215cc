-- Per-minute token buckets shared by every process (Modules/Keys/RateLimits/StoreRateBuckets.cs): one row per tenant
-- and kind ('requests' or 'tokens'). available is refilled from updated_ms (Unix milliseconds) on each take.
CREATE TABLE rate_buckets (
    tenant_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    capacity   INTEGER NOT NULL,
    available  REAL NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);
