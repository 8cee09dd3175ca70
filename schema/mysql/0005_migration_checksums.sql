-- A checksum per applied migration: FNV-1a 64 of the file's text as it was applied, 16 hex
-- digits (store/sql/migrate.h). Same column and meaning as
-- schema/sqlite/0005_migration_checksums.sql.
-- Rows recorded before this column existed get '' here, and the runner then fills in the
-- checksum of the text the binary carries.
-- One ALTER TABLE (atomic DDL), written without IF NOT EXISTS so that it runs on MySQL 8 as well
-- as MariaDB, as 0002 and 0003 are.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE schema_migrations ADD COLUMN checksum VARCHAR(16) NOT NULL DEFAULT '';
