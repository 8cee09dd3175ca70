-- One daily job at a time per business date and shard. Same table and meaning as
-- schema/sqlite/0009_job_leases.sql.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE IF NOT EXISTS job_leases (
  business_date INT NOT NULL,
  shard INT NOT NULL,
  shards INT NOT NULL,
  holder VARCHAR(255) NOT NULL,
  acquired_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,
  PRIMARY KEY (business_date, shard, shards)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
