// Internal to store/: the one migration runner of the SQL store, over a driver Connection.
//
// schema_migrations records, per applied migration, its version, name, time and a checksum of
// the file as it was applied (FNV-1a 64 of the SQL text, 16 hex digits; migration 0005 adds the
// column, and rows applied before it get the checksum of the text this binary carries). A file
// whose text changed after it was applied is refused: Migrate() and CheckSchema() fail with
// kUnavailable naming the migration, because a migration that was edited in place has not run
// on this database as written.
//
// Engines differ in one way here: SQLite runs DDL inside a transaction, so each migration and
// its schema_migrations row commit together (and a concurrent Migrate() waits for the write
// lock and then sees the row); MySQL commits each DDL statement itself, so its migrations are
// written to be re-runnable (IF NOT EXISTS) and MysqlStore serializes nodes with a named lock
// around ApplyMigrations.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "store/migration.h"
#include "store/sql/driver.h"

namespace loyalty::sql {

// FNV-1a 64 of `sql`, as 16 lower-case hex digits.
std::string MigrationChecksum(const char* sql);

// Applies, in version order, the migrations not recorded yet; returns how many. Refuses (before
// applying anything) when a recorded migration's checksum differs from the binary's file, or
// the database records a version this binary does not know.
Result<int> ApplyMigrations(Connection& conn, const std::vector<Migration>& migrations,
                            Micros now_us);

// Ok when the applied migrations are exactly `migrations`, with matching checksums; else
// kUnavailable with a message saying what to do ("run `loyalty migrate`", "this binary is older
// than the database", "migration 0003_coupons changed after it was applied").
Status CheckMigrations(Connection& conn, const std::vector<Migration>& migrations);

}  // namespace loyalty::sql
