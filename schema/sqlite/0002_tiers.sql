-- Tiers and the daily job: qualifying spend records, tier change history, job progress.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE customers ADD COLUMN tier_since_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN window_spend_won INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN window_orders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN spend_as_of INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET tier_since_us = created_at_us;

ALTER TABLE orders ADD COLUMN spend_date INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN counted_spend_won INTEGER NOT NULL DEFAULT 0;
-- Orders whose earned points may still need activation by the job (small: a partial index).
CREATE INDEX orders_awaiting_activation ON orders (order_id) WHERE earn_activated = 0 AND status <> 3;

-- Live available lots by expiry, for the job's expiry step.
CREATE INDEX lots_live_by_expiry ON lots (expires_at_us, customer_id) WHERE kind = 2 AND expired = 0;

-- One movement of qualifying spend, dated (yyyymmdd) to the business day it counts on.
CREATE TABLE spend_records (
  record_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  order_id TEXT NOT NULL,
  date INTEGER NOT NULL,
  amount_won INTEGER NOT NULL,
  orders_delta INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL
) STRICT;
-- Covering: a window sum per customer reads the index only.
CREATE INDEX spend_by_customer_date ON spend_records (customer_id, date, amount_won, orders_delta);

CREATE TABLE tier_changes (
  change_id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  from_tier TEXT NOT NULL,
  to_tier TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('upgrade', 'downgrade')),
  reason TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  qualifying_won INTEGER NOT NULL,
  threshold_won INTEGER NOT NULL,
  order_count INTEGER NOT NULL,
  policy TEXT NOT NULL,
  rule_version INTEGER NOT NULL,
  business_date INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX tier_changes_by_customer ON tier_changes (customer_id, change_id);

CREATE TABLE job_runs (
  business_date INTEGER NOT NULL,
  step TEXT NOT NULL,
  shard INTEGER NOT NULL,
  shards INTEGER NOT NULL,
  status TEXT NOT NULL,
  cursor TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  started_at_us INTEGER NOT NULL,
  finished_at_us INTEGER NOT NULL,
  PRIMARY KEY (business_date, step, shard, shards)
) STRICT;
