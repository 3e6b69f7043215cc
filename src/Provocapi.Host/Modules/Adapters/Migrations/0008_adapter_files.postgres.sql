-- Postgres twin of 0008_adapter_files.sql: adapter files in the shared store, written by a gateway once an adapter
-- is ready, read back to workers on the internal API (GET /internal/adapters/{id}/files/{name}).
CREATE TABLE adapter_files (
    adapter_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    content    BYTEA NOT NULL,
    PRIMARY KEY (adapter_id, name)
);
