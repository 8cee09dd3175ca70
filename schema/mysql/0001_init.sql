-- Initial schema of the loyalty ledger (MySQL 8 / MariaDB 10.6 and later, InnoDB).
--
-- The same tables, keys and indexes as schema/sqlite/0001_init.sql, with the same conventions:
-- every amount is a BIGINT in its smallest unit (*_won, *_points), every instant a BIGINT of UTC
-- microseconds (*_us), every enum column the int value of the enum of core/types.h (never
-- renumbered), booleans 0/1, "no value" for an id '' (not NULL) and for an instant 0.
-- Text is utf8mb4 with the binary collation utf8mb4_bin, so ids compare byte for byte (no case
-- or accent folding). Ids are VARCHAR(64): core allows at most 64 characters.
-- MySQL commits DDL implicitly, one statement at a time: every statement is re-runnable
-- (IF NOT EXISTS) so that a migration interrupted halfway completes when run again, and
-- indexes are declared inside their table.
-- Migrations are forward-only: never edit this file once released, add 0002_*.sql instead.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at_us BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS customers (
  customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
  birth_date CHAR(10) NULL,  -- YYYY-MM-DD or NULL
  marketing_consent TINYINT NOT NULL CHECK (marketing_consent IN (0, 1)),
  night_consent TINYINT NOT NULL CHECK (night_consent IN (0, 1)),
  tier VARCHAR(64) NOT NULL,
  available_points BIGINT NOT NULL,
  pending_points BIGINT NOT NULL,
  event_seq BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- AUTO_INCREMENT ids are never reused (InnoDB keeps the counter across restarts).
CREATE TABLE IF NOT EXISTS lots (
  lot_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL CHECK (kind IN (1, 2, 3)),  -- LotKind
  order_id VARCHAR(64) NOT NULL,                    -- '' for adjustments
  source_entry_id BIGINT NOT NULL,                  -- 0 until the creating entry is known
  initial_points BIGINT NOT NULL,
  remaining_points BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,                    -- exclusive, 0 = never
  expired TINYINT NOT NULL CHECK (expired IN (0, 1)),
  KEY lots_by_customer_kind_expiry (customer_id, kind, expires_at_us),
  KEY lots_by_order (order_id),
  CONSTRAINT lots_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS entries (
  entry_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL CHECK (kind BETWEEN 1 AND 7),  -- EntryKind
  pending_delta BIGINT NOT NULL,
  available_delta BIGINT NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  ref_id VARCHAR(64) NOT NULL,
  reason VARCHAR(255) NOT NULL,
  actor VARCHAR(255) NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY entries_by_customer (customer_id, entry_id),
  KEY entries_by_order (order_id),
  CONSTRAINT entries_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The lines of an entry, in the order the entry lists them (line = index in Entry::allocations,
-- one entry may touch the same lot twice, so (entry_id, lot_id) is not a key).
CREATE TABLE IF NOT EXISTS entry_allocations (
  entry_id BIGINT NOT NULL,
  line INT NOT NULL,
  lot_id BIGINT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (entry_id, line),
  KEY entry_allocations_by_lot (lot_id),
  CONSTRAINT entry_allocations_entry_fk FOREIGN KEY (entry_id) REFERENCES entries (entry_id),
  CONSTRAINT entry_allocations_lot_fk FOREIGN KEY (lot_id) REFERENCES lots (lot_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS orders (
  order_id VARCHAR(64) NOT NULL PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  amount_won BIGINT NOT NULL,
  shipping_won BIGINT NOT NULL,
  points_redeemed BIGINT NOT NULL,
  paid_won BIGINT NOT NULL,
  earn_rate_bp INT NOT NULL,
  rule_version BIGINT NOT NULL,
  tier_at_order VARCHAR(64) NOT NULL,
  earn_points BIGINT NOT NULL,
  earn_clawed_points BIGINT NOT NULL,
  restored_points BIGINT NOT NULL,
  shortfall_points BIGINT NOT NULL,
  refunded_won BIGINT NOT NULL,
  qualifying_won BIGINT NOT NULL,
  status TINYINT NOT NULL CHECK (status IN (1, 2, 3)),  -- OrderStatus
  earn_activated TINYINT NOT NULL CHECK (earn_activated IN (0, 1)),
  placed_at_us BIGINT NOT NULL,
  confirmed_at_us BIGINT NOT NULL,
  cancelled_at_us BIGINT NOT NULL,
  request_hash VARCHAR(128) NOT NULL,
  KEY orders_by_customer (customer_id, placed_at_us),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- refund_seq keeps the insertion order (SQLite's rowid) for refunds made in the same microsecond.
CREATE TABLE IF NOT EXISTS refunds (
  order_id VARCHAR(64) NOT NULL,
  refund_id VARCHAR(64) NOT NULL,
  refund_seq BIGINT NOT NULL AUTO_INCREMENT,
  amount_won BIGINT NOT NULL,
  clawed_points BIGINT NOT NULL,
  restored_points BIGINT NOT NULL,
  shortfall_points BIGINT NOT NULL,
  deduction_won BIGINT NOT NULL,
  cash_refund_won BIGINT NOT NULL,
  cancel TINYINT NOT NULL CHECK (cancel IN (0, 1)),
  request_hash VARCHAR(128) NOT NULL,
  created_at_us BIGINT NOT NULL,
  PRIMARY KEY (order_id, refund_id),
  UNIQUE KEY refunds_by_seq (refund_seq),
  CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS adjustments (
  adjustment_id VARCHAR(64) NOT NULL PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  points BIGINT NOT NULL,
  reason_code VARCHAR(64) NOT NULL,
  note VARCHAR(500) NOT NULL,
  actor_name VARCHAR(255) NOT NULL,
  actor_role VARCHAR(64) NOT NULL,
  entry_id BIGINT NOT NULL,
  request_hash VARCHAR(128) NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY adjustments_by_customer (customer_id),
  CONSTRAINT adjustments_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- event_id is the global feed cursor. With several writers ids commit out of order: the
-- per-customer seq (gapless, unique) is the authority, the global cursor is best-effort.
CREATE TABLE IF NOT EXISTS events (
  event_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  seq BIGINT NOT NULL,
  type VARCHAR(64) NOT NULL,
  payload_json MEDIUMTEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  UNIQUE KEY events_customer_seq (customer_id, seq),
  KEY events_by_customer (customer_id, event_id),
  CONSTRAINT events_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- scope_key: "<key name>:<Idempotency-Key>" (up to 255 characters) or "<kind>:<natural id>".
CREATE TABLE IF NOT EXISTS idempotency (
  scope_key VARCHAR(512) NOT NULL PRIMARY KEY,
  request_hash VARCHAR(128) NOT NULL,
  status_code INT NOT NULL,
  response_body MEDIUMTEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,  -- 0 = kept forever
  KEY idempotency_by_expiry (expires_at_us)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS api_keys (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  role VARCHAR(64) NOT NULL,
  key_hash VARCHAR(128) NOT NULL,  -- hex SHA-256 of the token
  created_at_us BIGINT NOT NULL,
  revoked_at_us BIGINT NOT NULL,   -- 0 = active
  UNIQUE KEY api_keys_by_hash (key_hash)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
