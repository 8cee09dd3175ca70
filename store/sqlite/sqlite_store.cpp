#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_session.h"

namespace loyalty {

namespace {

using sqlite::DbHandle;
using sqlite::Exec;
using sqlite::Stmt;

// The schema version this binary needs. embed.cmake lists the migrations sorted by file name.
int NeededVersion() {
  int version = 0;
  for (const Migration& m : kSqliteMigrations) {
    LOYALTY_CHECK(m.version > version);  // numbered files, in order, no duplicates
    version = m.version;
  }
  return version;
}

// The versions recorded in schema_migrations, ascending; none before the first migration.
Result<std::vector<int>> AppliedVersions(sqlite3* db) {
  std::vector<int> versions;
  {
    LOYALTY_ASSIGN_OR_RETURN(Stmt exists,
                             Stmt::PrepareOnce(db,
                                               "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                               " AND name = 'schema_migrations'",
                                               "read schema version"));
    LOYALTY_ASSIGN_OR_RETURN(bool has_table, exists.Step());
    if (!has_table) return versions;
  }
  LOYALTY_ASSIGN_OR_RETURN(
      Stmt stmt, Stmt::PrepareOnce(db, "SELECT version FROM schema_migrations ORDER BY version",
                                   "read schema version"));
  while (true) {
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    versions.push_back(static_cast<int>(stmt.Int(0)));
  }
  return versions;
}

int CurrentVersion(const std::vector<int>& applied) { return applied.empty() ? 0 : applied.back(); }

Status NewerThanBinary(int current, int needed) {
  return Status(Code::kUnavailable, "database schema is at version " + std::to_string(current) +
                                        ", newer than this binary (version " +
                                        std::to_string(needed) + "): upgrade the binary");
}

// Applies `m` inside the caller's write transaction unless it is recorded already (a
// concurrent migrate may have got there first). True when it applied it.
Result<bool> ApplyInTransaction(sqlite3* db, const Migration& m, Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(std::vector<int> applied, AppliedVersions(db));
  if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) return false;
  LOYALTY_RETURN_IF_ERROR(Exec(db, m.sql, m.name));
  LOYALTY_ASSIGN_OR_RETURN(
      Stmt record, Stmt::PrepareOnce(db,
                                     "INSERT INTO schema_migrations (version, name, applied_at_us)"
                                     " VALUES (?1, ?2, ?3)",
                                     "record migration"));
  record.BindInt(m.version);
  record.BindText(m.name);
  record.BindInt(now_us);
  LOYALTY_RETURN_IF_ERROR(record.Run());
  return true;
}

Status WithMigrationName(const Migration& m, const Status& status) {
  return Status(status.code(), "migration " + std::string(m.name) + ": " + status.message());
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       SqliteOptions opts) {
  if (path.empty() || path == ":memory:") {
    return Status(Code::kInternal, "sqlite store needs a database file, not '" + path + "'");
  }
  if (opts.busy_timeout_ms < 0) {
    return Status(Code::kInternal, "sqlite busy_timeout_ms must not be negative");
  }
  // Creates the file and switches it to WAL (a persistent setting) once, up front.
  LOYALTY_ASSIGN_OR_RETURN(DbHandle db, sqlite::OpenConnection(path, opts));
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, opts));
}

Result<std::unique_ptr<Session>> SqliteStore::OpenSession() {
  LOYALTY_ASSIGN_OR_RETURN(DbHandle db, sqlite::OpenConnection(path_, opts_));
  return std::unique_ptr<Session>(std::make_unique<sqlite::SqliteSession>(std::move(db)));
}

Result<int> SqliteStore::Migrate() {
  const int needed = NeededVersion();
  LOYALTY_ASSIGN_OR_RETURN(DbHandle db, sqlite::OpenConnection(path_, opts_));
  {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<int> applied, AppliedVersions(db.get()));
    const int current = CurrentVersion(applied);
    if (current > needed) return NewerThanBinary(current, needed);
  }
  const SystemClock clock;
  int count = 0;
  for (const Migration& m : kSqliteMigrations) {
    Status begun = Exec(db.get(), "BEGIN IMMEDIATE", "begin migration");
    if (!begun.ok()) return WithMigrationName(m, begun);
    Result<bool> applied = ApplyInTransaction(db.get(), m, clock.NowMicros());
    Status done = applied.ok() ? Exec(db.get(), "COMMIT", "commit migration") : applied.status();
    if (!done.ok()) {
      (void)Exec(db.get(), "ROLLBACK", "roll back migration");
      return WithMigrationName(m, done);
    }
    if (*applied) ++count;
  }
  return count;
}

Status SqliteStore::CheckSchema() {
  const int needed = NeededVersion();
  LOYALTY_ASSIGN_OR_RETURN(DbHandle db, sqlite::OpenConnection(path_, opts_));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<int> applied, AppliedVersions(db.get()));
  const int current = CurrentVersion(applied);
  if (current > needed) return NewerThanBinary(current, needed);
  std::vector<int> expected;
  for (const Migration& m : kSqliteMigrations) expected.push_back(m.version);
  if (applied != expected) {
    return Status(Code::kUnavailable, "database schema is at version " + std::to_string(current) +
                                          ", this binary needs " + std::to_string(needed) +
                                          ": run `loyalty migrate`");
  }
  return Status::Ok();
}

std::string SqliteStore::Describe() const { return "sqlite:" + path_; }

}  // namespace loyalty
