-- Postgres twin of 0001_tenants_and_keys.sql: integers are BIGINT and BLOB is BYTEA, so Dapper maps the same CLR types.
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    tier       TEXT NOT NULL CHECK (tier IN ('shared', 'reserved', 'dedicated')),
    created_at BIGINT NOT NULL
);

-- A key is stored as its SHA-256 hash; its prefix (public, shown by `keys list`) finds the row.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    prefix     TEXT NOT NULL UNIQUE,
    hash       BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
