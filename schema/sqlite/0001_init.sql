-- Initial schema of the loyalty ledger (SQLite).
--
-- Conventions: every amount is an INTEGER in its smallest unit (*_won, *_points), every instant
-- is an INTEGER of UTC microseconds (*_us), every enum column holds the int value of the enum
-- of core/types.h (never renumbered), booleans are 0/1, "no value" for an id is '' (not NULL)
-- and for an instant 0. Tables are STRICT so a wrongly typed bind fails loudly.
-- Migrations are forward-only: never edit this file once released, add 0002_*.sql instead.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE customers (
  customer_id TEXT PRIMARY KEY,
  birth_date TEXT,  -- YYYY-MM-DD or NULL
  marketing_consent INTEGER NOT NULL CHECK (marketing_consent IN (0, 1)),
  night_consent INTEGER NOT NULL CHECK (night_consent IN (0, 1)),
  tier TEXT NOT NULL,
  available_points INTEGER NOT NULL,
  pending_points INTEGER NOT NULL,
  event_seq INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL
) STRICT;

-- AUTOINCREMENT: ids are never reused, so they increase with time even across deletions.
CREATE TABLE lots (
  lot_id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),  -- LotKind
  order_id TEXT NOT NULL,                            -- '' for adjustments
  source_entry_id INTEGER NOT NULL,                  -- 0 until the creating entry is known
  initial_points INTEGER NOT NULL,
  remaining_points INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL,                    -- exclusive, 0 = never
  expired INTEGER NOT NULL CHECK (expired IN (0, 1))
) STRICT;
CREATE INDEX lots_by_customer_kind_expiry ON lots (customer_id, kind, expires_at_us);
CREATE INDEX lots_by_order ON lots (order_id);

CREATE TABLE entries (
  entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 7),  -- EntryKind
  pending_delta INTEGER NOT NULL,
  available_delta INTEGER NOT NULL,
  order_id TEXT NOT NULL,
  ref_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX entries_by_customer ON entries (customer_id, entry_id);
CREATE INDEX entries_by_order ON entries (order_id);

-- The lines of an entry, in the order the entry lists them (line = index in Entry::allocations,
-- one entry may touch the same lot twice, so (entry_id, lot_id) is not a key).
CREATE TABLE entry_allocations (
  entry_id INTEGER NOT NULL REFERENCES entries (entry_id),
  line INTEGER NOT NULL,
  lot_id INTEGER NOT NULL REFERENCES lots (lot_id),
  points INTEGER NOT NULL,
  PRIMARY KEY (entry_id, line)
) STRICT;

CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  amount_won INTEGER NOT NULL,
  shipping_won INTEGER NOT NULL,
  points_redeemed INTEGER NOT NULL,
  paid_won INTEGER NOT NULL,
  earn_rate_bp INTEGER NOT NULL,
  rule_version INTEGER NOT NULL,
  tier_at_order TEXT NOT NULL,
  earn_points INTEGER NOT NULL,
  earn_clawed_points INTEGER NOT NULL,
  restored_points INTEGER NOT NULL,
  shortfall_points INTEGER NOT NULL,
  refunded_won INTEGER NOT NULL,
  qualifying_won INTEGER NOT NULL,
  status INTEGER NOT NULL CHECK (status IN (1, 2, 3)),  -- OrderStatus
  earn_activated INTEGER NOT NULL CHECK (earn_activated IN (0, 1)),
  placed_at_us INTEGER NOT NULL,
  confirmed_at_us INTEGER NOT NULL,
  cancelled_at_us INTEGER NOT NULL,
  request_hash TEXT NOT NULL
) STRICT;
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at_us);

CREATE TABLE refunds (
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  refund_id TEXT NOT NULL,
  amount_won INTEGER NOT NULL,
  clawed_points INTEGER NOT NULL,
  restored_points INTEGER NOT NULL,
  shortfall_points INTEGER NOT NULL,
  deduction_won INTEGER NOT NULL,
  cash_refund_won INTEGER NOT NULL,
  cancel INTEGER NOT NULL CHECK (cancel IN (0, 1)),
  request_hash TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (order_id, refund_id)
) STRICT;

CREATE TABLE adjustments (
  adjustment_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  points INTEGER NOT NULL,
  reason_code TEXT NOT NULL,
  note TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  entry_id INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
) STRICT;

-- event_id is the global feed cursor: AUTOINCREMENT so an id is never handed out twice.
CREATE TABLE events (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  UNIQUE (customer_id, seq)
) STRICT;
CREATE INDEX events_by_customer ON events (customer_id, event_id);

CREATE TABLE idempotency (
  scope_key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL  -- 0 = kept forever
) STRICT;
CREATE INDEX idempotency_by_expiry ON idempotency (expires_at_us);

CREATE TABLE api_keys (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the token
  created_at_us INTEGER NOT NULL,
  revoked_at_us INTEGER NOT NULL  -- 0 = active
) STRICT;
