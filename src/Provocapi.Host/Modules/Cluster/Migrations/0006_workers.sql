-- The worker registry: each worker's row, rewritten at every heartbeat. models is JSON (Platform/Cluster/WorkerModel),
-- adapters a JSON list of "tenant/base/name" keys. Times are Unix milliseconds; stopped_at is set by a clean shutdown.
CREATE TABLE workers (
    id           TEXT PRIMARY KEY,
    instance     TEXT NOT NULL,
    url          TEXT NOT NULL,
    models       TEXT NOT NULL,
    adapters     TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    stopped_at   INTEGER
);
