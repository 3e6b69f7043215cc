-- Per-minute token buckets shared by every process (Modules/Keys/RateLimits/StoreRateBuckets.cs): one row per tenant
-- and kind ('requests' or 'tokens'). available is refilled from updated_ms (Unix milliseconds) on each take; taken
-- says whether the last take fitted (one statement does the take and reports it).
CREATE TABLE rate_buckets (
    tenant_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    capacity   INTEGER NOT NULL,
    available  REAL NOT NULL,
    updated_ms INTEGER NOT NULL,
    taken      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, kind)
);
