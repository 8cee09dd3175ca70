-- The programme lives in the database (docs/operations.md, "Upgrading the programme"): every
-- version `loyalty program apply` stored, as canonical JSON with its SHA-256, who applied it,
-- when, and from which instant it decides. The version in force at an instant T is the highest
-- version whose effective_at_us <= T (apply keeps versions and effective instants growing
-- together). Orders and tier changes already record the version that decided them
-- (rule_version, the programme's "version" field, unique here).
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE program_versions (
  version INTEGER PRIMARY KEY,   -- the programme's "version", grows with every apply
  hash TEXT NOT NULL,            -- lower-case hex SHA-256 of program_json
  program_json TEXT NOT NULL,    -- canonical JSON (loyalty program show)
  author TEXT NOT NULL,
  applied_at_us INTEGER NOT NULL,
  effective_at_us INTEGER NOT NULL
) STRICT;
-- The version in force at an instant.
CREATE INDEX program_versions_by_effective ON program_versions (effective_at_us, version);
