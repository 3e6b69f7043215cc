-- LoRA adapters, per tenant. Files live in {DataDirectory}/adapters/{tenant_id}/{id}/.
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
    rank           INTEGER,
    alpha          REAL,
    target_modules TEXT,
    size_bytes     INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);
