-- The programme lives in the database. Same table and meaning as
-- schema/sqlite/0008_program_versions.sql. MEDIUMTEXT: a programme with many templates may pass
-- the 64 KiB of TEXT.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE IF NOT EXISTS program_versions (
  version BIGINT NOT NULL PRIMARY KEY,  -- the programme's "version", grows with every apply
  hash CHAR(64) NOT NULL,               -- lower-case hex SHA-256 of program_json
  program_json MEDIUMTEXT NOT NULL,     -- canonical JSON (loyalty program show)
  author VARCHAR(255) NOT NULL,
  applied_at_us BIGINT NOT NULL,
  effective_at_us BIGINT NOT NULL,
  -- The version in force at an instant.
  KEY program_versions_by_effective (effective_at_us, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
