-- Postgres twin of 0007_batch_leases.sql: a running line belongs to lease_owner until lease_until (Unix ms);
-- model is the body's model without its adapter; input_node is the node whose disk holds the uploaded file.
ALTER TABLE batch_lines ADD COLUMN lease_owner TEXT;
ALTER TABLE batch_lines ADD COLUMN lease_until BIGINT;
ALTER TABLE batch_lines ADD COLUMN model TEXT;
-- How many times the line's lease ran out while it ran: its worker died or stalled each time (BatchStore.MaxLosses).
ALTER TABLE batch_lines ADD COLUMN lost BIGINT NOT NULL DEFAULT 0;
ALTER TABLE batch_jobs ADD COLUMN input_node TEXT;

CREATE INDEX batch_lines_lease ON batch_lines (lease_until) WHERE state = 'running';
