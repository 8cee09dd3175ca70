-- Messages: the transactional outbox (docs/messages.md). A message is written in the same
-- transaction as its cause and handed to the shop's messaging layer by the pull API or the
-- webhook worker. Texts are UTF-8 (Korean), up to 1,000 characters.
-- An empty dedupe_key is stored as NULL (as for coupons): the UNIQUE key holds only real keys.
-- Comments never contain a semicolon (statements are separated by them).

-- AUTOINCREMENT: message_id is the feed cursor, never reused.
CREATE TABLE messages (
  message_id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  type TEXT NOT NULL,                                  -- trigger, e.g. 'welcome'
  category INTEGER NOT NULL CHECK (category IN (1, 2)),  -- MessageCategory
  template_code TEXT NOT NULL,
  variables_json TEXT NOT NULL,
  text TEXT NOT NULL,
  sms_text TEXT NOT NULL,                              -- '' = no SMS fallback
  dedupe_key TEXT UNIQUE,                              -- NULL: none
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 5),  -- MessageStatus
  status_reason TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  not_before_us INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  lease_until_us INTEGER NOT NULL,                     -- > now: handed out, awaiting the outcome
  lease_owner TEXT NOT NULL,
  delivered_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL
) STRICT;
-- Deliverable messages in feed order, and the replay of delivered / dead-letter ones.
CREATE INDEX messages_by_status ON messages (status, message_id);
-- Head-of-line check (an older pending message of the same customer) and a customer's messages
-- of one status.
CREATE INDEX messages_by_customer_status ON messages (customer_id, status, message_id);
-- A customer's messages in feed order.
CREATE INDEX messages_by_customer ON messages (customer_id, message_id);
-- Frequency caps: a customer's messages of a type since an instant.
CREATE INDEX messages_caps ON messages (customer_id, type, created_at_us);
