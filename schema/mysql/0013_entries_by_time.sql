-- The liability report's index on entries. Same index and meaning as
-- schema/sqlite/0013_entries_by_time.sql: it covers the report's range and sums (InnoDB adds
-- the primary key to it, nothing else is read).
-- Comments never contain a semicolon (statements are separated by them).

CREATE INDEX entries_by_time ON entries (created_at_us, kind, pending_delta, available_delta);
