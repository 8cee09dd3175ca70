#include "store/sqlite/sqlite_store.h"

#include <memory>
#include <utility>

#include "core/clock.h"
#include "store/migration.h"
#include "store/sql/driver.h"
#include "store/sql/migrate.h"
#include "store/sql/sql_session.h"
#include "store/sqlite/sqlite_driver.h"

namespace loyalty {

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       SqliteOptions opts) {
  if (path.empty() || path == ":memory:") {
    return Status(Code::kInternal, "sqlite store needs a database file, not '" + path + "'");
  }
  if (opts.busy_timeout_ms < 0) {
    return Status(Code::kInternal, "sqlite busy_timeout_ms must not be negative");
  }
  // Creates the file and switches it to WAL (a persistent setting) once, up front.
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenSqliteConnection(path, opts));
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, opts));
}

Result<std::unique_ptr<Session>> SqliteStore::OpenSession() {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenSqliteConnection(path_, opts_));
  return std::unique_ptr<Session>(std::make_unique<sql::SqlSession>(std::move(conn)));
}

Result<int> SqliteStore::Migrate() {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenSqliteConnection(path_, opts_));
  // Each migration runs in a write transaction of its own (BEGIN IMMEDIATE): a concurrent
  // Migrate() waits for the lock, then finds the migration recorded and skips it.
  return sql::ApplyMigrations(*conn, kSqliteMigrations, SystemClock().NowMicros());
}

Status SqliteStore::CheckSchema() {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenSqliteConnection(path_, opts_));
  return sql::CheckMigrations(*conn, kSqliteMigrations);
}

std::string SqliteStore::Describe() const { return "sqlite:" + path_; }

}  // namespace loyalty
