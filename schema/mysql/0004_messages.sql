-- Messages: the transactional outbox (docs/messages.md).
-- Same table and meaning as schema/sqlite/0004_messages.sql. Texts are Korean, up to 1,000
-- characters (3,000+ bytes in utf8mb4), variables a few KB of JSON: TEXT columns (64 KB), stored
-- off-page by InnoDB when long. An empty dedupe_key is stored as NULL, as on SQLite, so the
-- UNIQUE key holds only real keys.
-- The lifecycle triggers' per-customer order lookups use orders_by_customer (customer_id,
-- placed_at_us) of 0001_init.sql: no new index on orders.
-- Comments never contain a semicolon (statements are separated by them).

-- message_id is the feed cursor. AUTO_INCREMENT values are never reused.
CREATE TABLE IF NOT EXISTS messages (
  message_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  type VARCHAR(64) NOT NULL,                              -- trigger, e.g. 'welcome'
  category TINYINT NOT NULL CHECK (category IN (1, 2)),   -- MessageCategory
  template_code VARCHAR(64) NOT NULL,
  variables_json TEXT NOT NULL,
  `text` TEXT NOT NULL,
  sms_text TEXT NOT NULL,                                 -- '' = no SMS fallback
  dedupe_key VARCHAR(255) NULL,                           -- NULL: none
  status TINYINT NOT NULL CHECK (status BETWEEN 1 AND 5), -- MessageStatus
  status_reason VARCHAR(255) NOT NULL,
  created_at_us BIGINT NOT NULL,
  not_before_us BIGINT NOT NULL,
  attempts INT NOT NULL,
  last_error TEXT NOT NULL,
  lease_until_us BIGINT NOT NULL,                         -- > now: handed out, awaiting outcome
  lease_owner VARCHAR(255) NOT NULL,
  delivered_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  UNIQUE KEY messages_dedupe_key (dedupe_key),
  -- Deliverable messages in feed order, and the replay of delivered / dead-letter ones.
  KEY messages_by_status (status, message_id),
  -- Head-of-line check (an older pending message of the same customer) and a customer's
  -- messages of one status.
  KEY messages_by_customer_status (customer_id, status, message_id),
  -- A customer's messages in feed order.
  KEY messages_by_customer (customer_id, message_id),
  -- Frequency caps: a customer's messages of a type since an instant.
  KEY messages_caps (customer_id, type, created_at_us),
  CONSTRAINT messages_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
