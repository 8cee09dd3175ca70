-- Consent records (docs/messages.md, 정보통신망법 §50): when and through which channel the
-- customer last gave or confirmed marketing consent, and the history of every consent change.
-- The consent_reconfirm notice is due two years after consent_confirmed_at_us.
-- An existing consent counts from the customer's last update (the best date the database holds).
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE customers ADD COLUMN consent_confirmed_at_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN consent_channel TEXT NOT NULL DEFAULT '';

UPDATE customers SET consent_confirmed_at_us =
  CASE WHEN updated_at_us > 0 THEN updated_at_us ELSE created_at_us END
  WHERE marketing_consent = 1 AND consent_confirmed_at_us = 0;

-- AUTOINCREMENT: change_id orders a customer's history, never reused.
CREATE TABLE consent_changes (
  change_id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  marketing_consent INTEGER NOT NULL CHECK (marketing_consent IN (0, 1)),  -- after the change
  night_consent INTEGER NOT NULL CHECK (night_consent IN (0, 1)),          -- after the change
  channel TEXT NOT NULL,                   -- e.g. 'web', 'sms_080', 'api'
  actor TEXT NOT NULL,                     -- 'role:key_name' of the API key, or 'system'
  created_at_us INTEGER NOT NULL
) STRICT;
-- A customer's history, newest first.
CREATE INDEX consent_changes_by_customer ON consent_changes (customer_id, change_id);
-- The daily job's reconfirmation step: consenting customers confirmed before an instant.
CREATE INDEX customers_consent_due ON customers (marketing_consent, consent_confirmed_at_us);
