// MysqlStore: the MySQL / MariaDB store: the SQL store (store/sql/sql_session.h) over the MySQL
// driver (store/mysql/mysql_driver.h: Connector/C++ 1.1, the JDBC-style API, with server-side
// prepared statements only).
//
// Several API nodes may share one database: correctness comes from InnoDB row locks, not from a
// process. Write transactions run at READ COMMITTED; inside one, FindCustomer and FindOrder read
// with SELECT ... FOR UPDATE, so every command that starts by reading its customer (all of them
// do, see core/ledger_internal.h) holds that customer until its batch commits, on any node.
// Read sessions (BeginRead) see one consistent snapshot (REPEATABLE READ, read only).
//
// Details core/store.h leaves open, fixed as in SqliteStore (the conformance suite checks them):
//  - Update*() of a row that does not exist returns kNotFound (the connection reports matched,
//    not changed, rows).
//  - A page limit <= 0 means kDefaultPageSize; any limit is capped at kMaxPageSize.
//  - Foreign keys are enforced (violation: kInternal).
//  - Outside Begin()/BeginRead() every call runs in a transaction of its own (autocommit).
// Error mapping: deadlock (1213) and lock wait timeout (1205) -> kRetry (the executor re-runs
// the batch; the transaction is dead until Rollback()); duplicate key (1062) on an Insert* ->
// kAlreadyExists; server gone, connection refused or lost, server shutting down or read-only ->
// kUnavailable; anything else kInternal. A session whose connection died reconnects by itself
// at its next call outside a transaction (Begin() and BeginRead() included), so service resumes
// after a server restart without restarting the process. A commit that fails because the
// connection died is ambiguous (it may have been applied): callers retry with the same ids.
//
// Autoincrement ids (lots, entries, events) increase with time on one connection; with several
// writers they commit out of order, so a reader may see event 12 before event 11 exists.
//
// Thread-safe: MysqlStore holds only its configuration; each session is one connection, used by
// one thread at a time (any thread: each thread is registered with the client library on first
// use and unregistered when it ends).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct MysqlConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;  // never logged, never in Describe()
  std::string database;
  // Limits and timeouts (seconds). Short, so that requests during an outage fail fast with
  // kUnavailable instead of hanging; read_timeout_s must exceed lock_wait_timeout_s.
  int max_sessions = 64;  // connections this store opens at most (OpenSession beyond: kUnavailable)
  int connect_timeout_s = 2;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  int lock_wait_timeout_s = 5;      // innodb_lock_wait_timeout: a row lock waited longer -> kRetry
  int migrate_lock_timeout_s = 60;  // how long Migrate() waits for another node's Migrate()
  // INSERT ... RETURNING where the server has it (MariaDB 10.5+): one round trip less per new
  // lot, entry and event. Off: INSERT then SELECT LAST_INSERT_ID(), as on MySQL.
  bool use_returning = true;
};

// Parses mysql://user[:password]@host[:port]/database[?option=value&...] (user and password may
// be percent-encoded; the user and password end at the last '@', so a password may also hold a
// raw '?', '#', '/', '@' or ':'). Without a password in the URL it comes from
// $LOYALTY_DB_PASSWORD, else from the file named by $LOYALTY_DB_PASSWORD_FILE (one line; the
// trailing newline is dropped). Options: max_sessions, connect_timeout_s, read_timeout_s,
// write_timeout_s, lock_wait_timeout_s.
// kValidationFailed (field "--db") on a malformed URL. The message quotes no text of the URL, so
// it never contains the password or any part of the user and password, whatever the input.
Result<MysqlConfig> ParseMysqlUrl(const std::string& url);

// "mysql://user@host:port/database": the configuration without its password.
std::string DescribeMysql(const MysqlConfig& config);

class MysqlStore final : public Store {
 public:
  // Checks the configuration and that the server accepts a connection (kUnavailable if not).
  // Leaves the schema alone: call Migrate() or CheckSchema() next.
  static Result<std::unique_ptr<MysqlStore>> Open(const MysqlConfig& config);

  // Creates config.database (utf8mb4, binary collation) unless it exists, connecting without
  // selecting a database. The name must be 1..64 of [A-Za-z0-9_]. Used by tests and set-up.
  static Status CreateDatabase(const MysqlConfig& config);
  // Drops config.database if it exists. Same name rule.
  static Status DropDatabase(const MysqlConfig& config);

  // A new connection on every call (callers pool them), at most config.max_sessions alive.
  Result<std::unique_ptr<Session>> OpenSession() override;
  // Applies the kMysqlMigrations not recorded in schema_migrations, in version order; returns
  // how many. MySQL commits DDL implicitly, so the migrations are written to be re-runnable
  // (IF NOT EXISTS); nodes starting together serialize on a named lock (GET_LOCK).
  Result<int> Migrate() override;
  // kUnavailable unless the applied migrations are exactly those of this binary.
  Status CheckSchema() override;
  std::string Describe() const override;  // "mysql://user@host:port/database"

  const MysqlConfig& config() const { return config_; }

 private:
  explicit MysqlStore(MysqlConfig config);

  const MysqlConfig config_;
  std::shared_ptr<std::atomic<int>> open_sessions_;
};

}  // namespace loyalty
