-- Coupons: codes issued from the programme's templates, their redemption by orders, bulk batches.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE orders ADD COLUMN coupon_discount_won INTEGER NOT NULL DEFAULT 0;
-- The codes the order redeemed, comma-separated (a snapshot, the coupons rows say the rest).
ALTER TABLE orders ADD COLUMN coupon_codes TEXT NOT NULL DEFAULT '';

CREATE TABLE coupons (
  code TEXT PRIMARY KEY,
  template_code TEXT NOT NULL,
  customer_id TEXT REFERENCES customers (customer_id),  -- NULL: unassigned bulk code
  status INTEGER NOT NULL,                                -- CouponStatus
  issued_at_us INTEGER NOT NULL,
  valid_from_us INTEGER NOT NULL,
  valid_until_us INTEGER NOT NULL,
  order_id TEXT,
  discount_won INTEGER NOT NULL DEFAULT 0,
  redeemed_at_us INTEGER NOT NULL DEFAULT 0,
  dedupe_key TEXT UNIQUE,                                 -- NULL: none (many NULLs allowed)
  batch_id TEXT,
  reason TEXT NOT NULL DEFAULT '',
  issued_by TEXT NOT NULL DEFAULT '',
  expiring_notified INTEGER NOT NULL DEFAULT 0,
  updated_at_us INTEGER NOT NULL
) STRICT;  -- a rowid table: bulk issuance appends rows, only the code index is random
CREATE INDEX coupons_by_customer ON coupons (customer_id, code) WHERE customer_id IS NOT NULL;
CREATE INDEX coupons_by_order ON coupons (order_id) WHERE order_id IS NOT NULL;
-- A batch's coupons in issue order: (batch_id, rowid) entries are appended, never scattered.
CREATE INDEX coupons_by_batch ON coupons (batch_id) WHERE batch_id IS NOT NULL;
-- Active coupons by end of validity, for the daily job's expiry and expiring-soon steps.
CREATE INDEX coupons_active_by_end ON coupons (valid_until_us, code) WHERE status = 1;
CREATE INDEX customers_by_birth_month ON customers (substr(birth_date, 6, 2), customer_id)
  WHERE birth_date IS NOT NULL;

CREATE TABLE coupon_batches (
  batch_id TEXT PRIMARY KEY,
  template_code TEXT NOT NULL,
  customer_ids TEXT NOT NULL,   -- newline-separated, empty for unassigned codes
  requested INTEGER NOT NULL,
  issued INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  finished_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX coupon_batches_unfinished ON coupon_batches (batch_id) WHERE status <> 'done';
