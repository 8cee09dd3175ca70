-- `loyalty import` (docs/import-export.md). import_rows: every row id an import applied, with the
-- hash of its values, so that a file imported again changes nothing and a row id seen with other
-- values is refused. import_events: the orders of one import run, staged as events (placed,
-- confirmed, refunded, cancelled) so that they are applied in time order however the file is
-- sorted, with memory independent of the file's size. A run deletes its events when it ends.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE import_rows (
  kind TEXT NOT NULL,            -- customer or order
  row_id TEXT NOT NULL,          -- customer_id or order_id
  hash TEXT NOT NULL,            -- SHA-256 of the row's canonical values
  import_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  imported_at_us INTEGER NOT NULL,
  PRIMARY KEY (kind, row_id)
) STRICT;

CREATE TABLE import_events (
  import_id TEXT NOT NULL,
  at_us INTEGER NOT NULL,        -- when it happened
  seq INTEGER NOT NULL,          -- line * 4 + kind: the file's order breaks ties
  kind INTEGER NOT NULL,         -- 1 placed, 2 confirmed, 3 refunded, 4 cancelled
  order_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  amount_won INTEGER NOT NULL,   -- placed: the amount, refunded: the refunded amount
  shipping_won INTEGER NOT NULL,
  points INTEGER NOT NULL,       -- placed: points redeemed
  hash TEXT NOT NULL,            -- the row's hash (placed only, else empty)
  PRIMARY KEY (import_id, at_us, seq)
) STRICT;
-- A row id once per run and kind of event.
CREATE UNIQUE INDEX import_events_by_order ON import_events (import_id, order_id, kind);
