-- A checksum per applied migration: FNV-1a 64 of the file's text as it was applied, 16 hex
-- digits (store/sql/migrate.h). The runner refuses a database whose applied file changed since.
-- Rows recorded before this column existed get '' here, and the runner then fills in the
-- checksum of the text the binary carries. STRICT table: the column is TEXT with a default.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
