-- One daily job at a time per business date and shard, on any number of nodes
-- (docs/operations.md, "Scheduling the daily job"). A run takes the row with a conditional
-- INSERT then UPDATE (free, expired or already its own), renews expires_at_us after every batch
-- and deletes the row when it ends. A crashed holder's row simply expires: the next run takes it
-- over and resumes from job_runs. holder is host:pid:random, so two runs never share one.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE job_leases (
  business_date INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  shards INTEGER NOT NULL,
  holder TEXT NOT NULL,
  acquired_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL,
  PRIMARY KEY (business_date, shard, shards)
) STRICT;
