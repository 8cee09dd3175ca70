-- Consent records (docs/messages.md, 정보통신망법 §50). Same columns, table and meaning as
-- schema/sqlite/0006_consent.sql. The ALTER TABLE adds its columns and key in one statement
-- (atomic DDL), written without IF NOT EXISTS so that it runs on MySQL 8 as well as MariaDB, as
-- 0002 and 0003 are. The backfill only touches rows still at 0, and the table is created IF NOT
-- EXISTS.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE customers
  ADD COLUMN consent_confirmed_at_us BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN consent_channel VARCHAR(32) NOT NULL DEFAULT '',
  ADD KEY customers_consent_due (marketing_consent, consent_confirmed_at_us);

UPDATE customers SET consent_confirmed_at_us =
  CASE WHEN updated_at_us > 0 THEN updated_at_us ELSE created_at_us END
  WHERE marketing_consent = 1 AND consent_confirmed_at_us = 0;

CREATE TABLE IF NOT EXISTS consent_changes (
  change_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  marketing_consent TINYINT NOT NULL CHECK (marketing_consent IN (0, 1)),  -- after the change
  night_consent TINYINT NOT NULL CHECK (night_consent IN (0, 1)),          -- after the change
  channel VARCHAR(32) NOT NULL,            -- e.g. 'web', 'sms_080', 'api'
  actor VARCHAR(255) NOT NULL,             -- 'role:key_name' of the API key, or 'system'
  created_at_us BIGINT NOT NULL,
  -- A customer's history, newest first.
  KEY consent_changes_by_customer (customer_id, change_id),
  CONSTRAINT consent_changes_customer_fk FOREIGN KEY (customer_id)
    REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
