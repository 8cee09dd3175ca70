// SqliteStore: the embedded SQLite engine of the SQL store (store/sql/sql_session.h over the
// driver of store/sqlite/sqlite_driver.h).
//
// One database file in WAL mode. Every Session is a connection of its own, so sessions may live
// on different threads (each used by one thread at a time). SQLite admits one writer at a time:
// a write session's Begin() (BEGIN IMMEDIATE) waits up to busy_timeout_ms for the write lock and
// then fails with kUnavailable. Readers never block the writer; between BeginRead() and EndRead()
// they see one snapshot.
//
// The details core/store.h leaves open are those of SqlSession, the same on every engine.
//
// Thread-safe: SqliteStore holds no connection; each call opens what it needs.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct SqliteOptions {
  // FULL: a commit is durable once acknowledged. NORMAL (false) is faster but may lose the last
  // commits on power loss (never corrupts the file).
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;  // how long Begin() and other lock waits block before kUnavailable
  int cache_mib = 64;  // page cache per connection (bulk coupon issuance writes random keys)
};

class SqliteStore final : public Store {
 public:
  // Opens (creating it if missing) the database file at `path` and switches it to WAL mode.
  // Leaves the schema alone: call Migrate() or CheckSchema() next. ":memory:" is refused (every
  // session would get a database of its own).
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   SqliteOptions opts = {});

  // A new connection on every call; callers pool them.
  Result<std::unique_ptr<Session>> OpenSession() override;
  // Applies the kSqliteMigrations not recorded in schema_migrations, each in its own
  // transaction, in version order; returns how many. Safe against a concurrent Migrate().
  // Refuses a database with an applied migration whose file changed (store/sql/migrate.h).
  Result<int> Migrate() override;
  // kUnavailable unless the applied migrations are exactly those of this binary, unchanged.
  Status CheckSchema() override;
  std::string Describe() const override;  // "sqlite:<path>"

  const std::string& path() const { return path_; }
  const SqliteOptions& options() const { return opts_; }

 private:
  SqliteStore(std::string path, SqliteOptions opts) : path_(std::move(path)), opts_(opts) {}

  const std::string path_;
  const SqliteOptions opts_;
};

}  // namespace loyalty
