-- Leases, so any number of processes share one job: a running line belongs to the process instance in lease_owner
-- until lease_until (Unix ms), which the holder renews while it runs; past it, another process may claim the line.
-- model is the body's model without its adapter, so a worker claims only the lines it serves. input_node is the node
-- whose disk holds the uploaded file, the only one that can validate the job.
ALTER TABLE batch_lines ADD COLUMN lease_owner TEXT;
ALTER TABLE batch_lines ADD COLUMN lease_until INTEGER;
ALTER TABLE batch_lines ADD COLUMN model TEXT;
-- How many times the line's lease ran out while it ran: its worker died or stalled each time (BatchStore.MaxLosses).
ALTER TABLE batch_lines ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batch_jobs ADD COLUMN input_node TEXT;

CREATE INDEX batch_lines_lease ON batch_lines (lease_until) WHERE state = 'running';
