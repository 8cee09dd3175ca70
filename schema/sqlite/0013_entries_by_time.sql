-- The points liability report (docs/ledger.md, "Points liability") sums the entries of each
-- month by kind: SELECT kind, SUM(...) FROM entries WHERE created_at_us >= ? AND created_at_us
-- < ? GROUP BY kind. Without an index every month read the whole table. This one covers the
-- statement (the range, then the kind and both deltas), so a month reads only its own entries
-- from the index and never the table. Entries are appended in time order, so each insert adds
-- at the index's right edge. Building it reads every entry once, inside the migration.
-- Comments never contain a semicolon (statements are separated by them).

CREATE INDEX entries_by_time ON entries (created_at_us, kind, pending_delta, available_delta);
