// Internal to store/: the SQLite driver under the SQL store (store/sql/driver.h).
//
// One SqliteConnection is one sqlite3 connection, opened the way every session needs it (WAL,
// the synchronous level and busy timeout of SqliteOptions, foreign keys on, the page cache, the
// CRC32() function of the shard expression). Statements are prepared once per connection on
// first use (SQLITE_PREPARE_PERSISTENT) and cached: by (&def, variant) for Prepare, by text for
// PrepareText. A Stmt resets its statement after each use.
//
// SQLite specifics of the driver contract:
//  - Variant::kForUpdate prepares the plain text: BEGIN IMMEDIATE already makes the write
//    transaction the only writer of the whole database, so there are no row locks to take.
//  - Variant::kReturning is kInternal (HasReturning() is false): sqlite3_last_insert_rowid is
//    free, so LastInsertId() answers without a round trip.
//  - Begin(kWrite) is BEGIN IMMEDIATE: it waits up to busy_timeout_ms for the write lock, then
//    fails with kUnavailable. Begin(kRead) is a deferred BEGIN: in WAL mode the snapshot is taken
//    by the first read and holds until Commit/Rollback, and readers never block the writer.
//  - SQLite has no deadlocks between connections (one writer at a time), so no kRetry: a busy or
//    locked database past the busy timeout is kUnavailable.
//
// Not thread-safe: one thread at a time (any thread: the connection is opened NOMUTEX, and the
// store never shares one between threads).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/status.h"
#include "store/sql/driver.h"
#include "store/sql/driver_util.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty::sql {

// Opens `path` read-write (creating it) with extended result codes, WAL journal, the
// synchronous level, busy timeout and cache size of `opts`, foreign keys on and CRC32()
// registered. kUnavailable when the file cannot be opened or switched to WAL.
Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path,
                                                         const SqliteOptions& opts);

// CRC32(text) as the SQLite connections of the store define it: core/shard.h's Crc32 of the
// text's UTF-8 bytes as an integer (NULL for NULL), so `CRC32(x) % n` is ShardOf(x, n), as
// MySQL's built-in CRC32(). For tools that open the file themselves (tests looking at plans).
int RegisterCrc32Function(sqlite3* db);

class SqliteStatement;

class SqliteConnection final : public Connection {
 public:
  ~SqliteConnection() override;  // rolls back an open transaction, then closes
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  const Dialect& dialect() const override { return kSqliteDialect; }
  Result<Stmt> Prepare(const StmtDef& def, Variant variant = Variant::kPlain) override;
  Result<Stmt> PrepareText(std::string_view what, const std::string& sql) override;
  bool HasReturning() override { return false; }
  Result<int64_t> LastInsertId() override;

  Status Begin(TxKind kind) override;
  Status Commit() override;
  void Rollback() override;
  TxKind tx() const override { return tx_; }

  Status Savepoint() override;
  Status ReleaseSavepoint() override;
  Status RollbackToSavepoint() override;

 private:
  friend Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path,
                                                                  const SqliteOptions& opts);

  struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

  explicit SqliteConnection(DbHandle db);

  // Prepares `sql` (one statement) into a new cache entry.
  Result<std::unique_ptr<SqliteStatement>> PrepareNew(std::string_view what, const char* sql);
  // Runs a transaction control statement of the connection (no parameters, no rows).
  Status Run(const StmtDef& def);

  DbHandle db_;
  TxKind tx_ = TxKind::kNone;
  StatementCache<SqliteStatement> cache_;
};

}  // namespace loyalty::sql
