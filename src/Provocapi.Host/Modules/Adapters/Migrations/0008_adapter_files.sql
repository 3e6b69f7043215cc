-- Adapter files in the shared store, written by a gateway once an adapter is ready, read back to workers on the
-- internal API (GET /internal/adapters/{id}/files/{name}). The all role keeps its files on disk only.
CREATE TABLE adapter_files (
    adapter_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    content    BLOB NOT NULL,
    PRIMARY KEY (adapter_id, name)
);
