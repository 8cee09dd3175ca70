-- Domain-event webhooks (docs/webhooks.md). Same tables and meaning as
-- schema/sqlite/0010_event_subscriptions.sql.
-- Comments never contain a semicolon (statements are separated by them).

-- AUTO_INCREMENT values are never reused.
CREATE TABLE IF NOT EXISTS event_subscriptions (
  subscription_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  url VARCHAR(2048) NOT NULL,
  event_types TEXT NOT NULL,                      -- comma-separated event types, or '*'
  description VARCHAR(1024) NOT NULL,
  status TINYINT NOT NULL CHECK (status IN (1, 2)),  -- SubscriptionStatus
  secret VARCHAR(255) NOT NULL,                   -- whsec_ and base64 of the key bytes
  previous_secret VARCHAR(255) NOT NULL,          -- '' = none
  previous_secret_until_us BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  disabled_at_us BIGINT NOT NULL,                 -- 0 = active
  cursor_event_id BIGINT NOT NULL,                -- every event up to it is done with
  attempts INT NOT NULL,                          -- failed attempts of the next matching event
  next_attempt_at_us BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  last_attempt_at_us BIGINT NOT NULL,
  delivered_count BIGINT NOT NULL,
  dead_letter_count BIGINT NOT NULL,
  state_version BIGINT NOT NULL,                  -- grows with every change of the delivery state
  lease_owner VARCHAR(255) NOT NULL,              -- the node delivering it ('' = nobody)
  lease_until_us BIGINT NOT NULL,
  -- The worker's scan: active subscriptions due now.
  KEY event_subscriptions_due (status, next_attempt_at_us)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS event_dead_letters (
  dead_letter_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  subscription_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  type VARCHAR(64) NOT NULL,
  attempts INT NOT NULL,
  last_error TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  -- A subscription's dead letters, newest first.
  KEY event_dead_letters_by_subscription (subscription_id, dead_letter_id),
  CONSTRAINT event_dead_letters_subscription_fk FOREIGN KEY (subscription_id)
    REFERENCES event_subscriptions (subscription_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
