-- Coupons: codes issued from the programme's templates, their redemption by orders, bulk batches.
-- Same tables and meaning as schema/sqlite/0003_coupons.sql. The ALTER TABLE adds its columns in
-- one statement (atomic DDL), written without IF NOT EXISTS so that it runs on MySQL 8 as well
-- as MariaDB. MySQL has no partial indexes: the keys below are full ones with the same leading
-- columns. An empty customer_id, order_id, dedupe_key or batch_id is stored as NULL, as on
-- SQLite, so the UNIQUE dedupe key admits any number of coupons without one.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE orders
  ADD COLUMN coupon_discount_won BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN coupon_codes VARCHAR(512) NOT NULL DEFAULT '';

-- coupon_seq is the issue order (SQLite's rowid): bulk issuance appends to the clustered index,
-- only the code key is random. AUTO_INCREMENT values are never reused.
CREATE TABLE IF NOT EXISTS coupons (
  coupon_seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(64) NOT NULL,
  template_code VARCHAR(64) NOT NULL,
  customer_id VARCHAR(64) NULL,              -- NULL: unassigned bulk code
  status TINYINT NOT NULL CHECK (status IN (1, 2, 3, 4)),  -- CouponStatus
  issued_at_us BIGINT NOT NULL,
  valid_from_us BIGINT NOT NULL,
  valid_until_us BIGINT NOT NULL,
  order_id VARCHAR(64) NULL,
  discount_won BIGINT NOT NULL DEFAULT 0,
  redeemed_at_us BIGINT NOT NULL DEFAULT 0,
  dedupe_key VARCHAR(255) NULL,              -- NULL: none (many NULLs allowed)
  batch_id VARCHAR(64) NULL,
  reason VARCHAR(500) NOT NULL DEFAULT '',
  issued_by VARCHAR(255) NOT NULL DEFAULT '',
  expiring_notified TINYINT NOT NULL DEFAULT 0 CHECK (expiring_notified IN (0, 1)),
  updated_at_us BIGINT NOT NULL,
  UNIQUE KEY coupons_code (code),
  UNIQUE KEY coupons_dedupe_key (dedupe_key),
  KEY coupons_by_customer (customer_id, code),
  KEY coupons_by_order (order_id),
  -- A batch's coupons in issue order.
  KEY coupons_by_batch (batch_id, coupon_seq),
  -- Active coupons by end of validity, for the daily job's expiry and expiring-soon steps.
  KEY coupons_active_by_end (status, valid_until_us, code),
  CONSTRAINT coupons_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS coupon_batches (
  batch_id VARCHAR(64) NOT NULL PRIMARY KEY,
  template_code VARCHAR(64) NOT NULL,
  customer_ids MEDIUMTEXT NOT NULL,          -- newline-separated, empty for unassigned codes
  requested BIGINT NOT NULL,
  issued BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(500) NOT NULL,
  issued_by VARCHAR(255) NOT NULL,
  request_hash VARCHAR(128) NOT NULL,
  created_at_us BIGINT NOT NULL,
  finished_at_us BIGINT NOT NULL,
  KEY coupon_batches_by_status (status, batch_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
