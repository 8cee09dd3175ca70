-- Tiers and the daily job: qualifying spend records, tier change history, job progress.
-- Same tables and meaning as schema/sqlite/0002_tiers.sql. Each ALTER TABLE adds its columns and
-- keys in one statement (atomic DDL), written without IF NOT EXISTS so that it runs on MySQL 8
-- as well as MariaDB. MySQL has no partial indexes: the job's lookups lead with the flag columns.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE customers
  ADD COLUMN tier_since_us BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN window_spend_won BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN window_orders INT NOT NULL DEFAULT 0,
  ADD COLUMN spend_as_of INT NOT NULL DEFAULT 0;

UPDATE customers SET tier_since_us = created_at_us WHERE tier_since_us = 0;

ALTER TABLE orders
  ADD COLUMN spend_date INT NOT NULL DEFAULT 0,
  ADD COLUMN counted_spend_won BIGINT NOT NULL DEFAULT 0,
  ADD KEY orders_awaiting_activation (earn_activated, order_id);

ALTER TABLE lots ADD KEY lots_live_by_expiry (kind, expired, expires_at_us, customer_id);

CREATE TABLE IF NOT EXISTS spend_records (
  record_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  `date` INT NOT NULL,
  amount_won BIGINT NOT NULL,
  orders_delta INT NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY spend_by_customer_date (customer_id, `date`, amount_won, orders_delta),
  CONSTRAINT spend_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tier_changes (
  change_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  from_tier VARCHAR(64) NOT NULL,
  to_tier VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL CHECK (kind IN ('upgrade', 'downgrade')),
  reason VARCHAR(64) NOT NULL,
  window_start INT NOT NULL,
  window_end INT NOT NULL,
  qualifying_won BIGINT NOT NULL,
  threshold_won BIGINT NOT NULL,
  order_count INT NOT NULL,
  policy VARCHAR(32) NOT NULL,
  rule_version BIGINT NOT NULL,
  business_date INT NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY tier_changes_by_customer (customer_id, change_id),
  CONSTRAINT tier_changes_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS job_runs (
  business_date INT NOT NULL,
  step VARCHAR(32) NOT NULL,
  shard INT NOT NULL,
  shards INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  `cursor` VARCHAR(64) NOT NULL,
  summary_json TEXT NOT NULL,
  started_at_us BIGINT NOT NULL,
  finished_at_us BIGINT NOT NULL,
  PRIMARY KEY (business_date, step, shard, shards)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
