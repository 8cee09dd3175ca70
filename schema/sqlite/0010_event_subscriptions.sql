-- Domain-event webhooks (docs/webhooks.md): subscriptions of the shop's systems to event types,
-- each with its delivery state, and the events a subscription gave up on (dead letters).
-- One row per subscription holds both its settings (url, event types, secrets, status) and its
-- delivery state (the cursor in the events table, the attempts on the event after it, counts,
-- the last error, the lease). Settings and state are written by different statements, each
-- touching only its own columns, so an admin's rotation never undoes a delivery and back.
-- The cursor stops at the first event that fails: one subscription's events leave in event_id
-- order, so one customer's events arrive in the order they happened.
-- Only the lease holder advances the cursor: the save is conditional on lease_owner, a live
-- lease and state_version (a replay bumps it, so a delivery in flight cannot overwrite it).
-- A disabled subscription (DELETE) is kept for its history and never delivered again.
-- Comments never contain a semicolon (statements are separated by them).

-- AUTOINCREMENT: a subscription_id is never reused.
CREATE TABLE event_subscriptions (
  subscription_id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  event_types TEXT NOT NULL,               -- comma-separated event types, or '*'
  description TEXT NOT NULL,
  status INTEGER NOT NULL CHECK (status IN (1, 2)),  -- SubscriptionStatus
  secret TEXT NOT NULL,                    -- whsec_ and base64 of the key bytes
  previous_secret TEXT NOT NULL,           -- '' = none, else also signed with until then
  previous_secret_until_us INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  disabled_at_us INTEGER NOT NULL,         -- 0 = active
  cursor_event_id INTEGER NOT NULL,        -- every event up to it is done with
  attempts INTEGER NOT NULL,               -- failed attempts of the next matching event
  next_attempt_at_us INTEGER NOT NULL,     -- backoff: not before
  last_error TEXT NOT NULL,
  last_attempt_at_us INTEGER NOT NULL,
  delivered_count INTEGER NOT NULL,
  dead_letter_count INTEGER NOT NULL,
  state_version INTEGER NOT NULL,          -- grows with every change of the delivery state
  lease_owner TEXT NOT NULL,               -- the node delivering it ('' = nobody)
  lease_until_us INTEGER NOT NULL
) STRICT;
-- The worker's scan: active subscriptions due now.
CREATE INDEX event_subscriptions_due ON event_subscriptions (status, next_attempt_at_us);

-- AUTOINCREMENT: the same event may be dead-lettered again after a replay, each time a row.
CREATE TABLE event_dead_letters (
  dead_letter_id INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription_id INTEGER NOT NULL REFERENCES event_subscriptions (subscription_id),
  event_id INTEGER NOT NULL,
  customer_id TEXT NOT NULL,
  type TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
) STRICT;
-- A subscription's dead letters, newest first.
CREATE INDEX event_dead_letters_by_subscription ON event_dead_letters (subscription_id,
  dead_letter_id);
