-- Adapter files in the shared store in parts of a few megabytes, so neither a gateway saving one nor one sending it
-- to a worker holds a whole file (up to MaxAdapterBytes) in memory. Files saved whole before become their own part 0.
CREATE TABLE adapter_file_parts (
    adapter_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    part       INTEGER NOT NULL,
    content    BLOB NOT NULL,
    PRIMARY KEY (adapter_id, name, part)
);
INSERT INTO adapter_file_parts (adapter_id, name, part, content) SELECT adapter_id, name, 0, content FROM adapter_files;
DROP TABLE adapter_files;
