-- Postgres twin of 0003_adapters.sql. Files live in {DataDirectory}/adapters/{tenant_id}/{id}/.
CREATE TABLE adapters (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    name           TEXT NOT NULL,
    base_model     TEXT NOT NULL,
    format         TEXT NOT NULL CHECK (format IN ('peft', 'gguf')),
    hf_repo        TEXT,
    revision       TEXT,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'downloading', 'ready', 'failed')),
    failure        TEXT,
    rank           BIGINT,
    alpha          DOUBLE PRECISION,
    target_modules TEXT,
    size_bytes     BIGINT,
    created_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);
