// Internal to store/: the thin per-engine layer under the SQL store (store/sql/sql_session.h).
//
// The store is written once, as SQL text and row mappers, over three small things each engine
// provides:
//  - a Statement: bind values, step through rows, read typed columns, count matched rows;
//  - a Connection: prepare (and cache) statements, transactions and the one savepoint a command
//    needs, the id of the last insert;
//  - a Dialect: what really differs between the engines' SQL (row locks, RETURNING, upserts and
//    a few statements written twice), applied when a statement is prepared.
//
// SQL text: parameters are positional '?', bound in the order they appear (a value used twice is
// bound twice). An engine override of a statement has the same parameters in the same order, so
// the session binds it the same way. Identifiers that are reserved words in MySQL (date, cursor,
// text) are quoted with backticks, which SQLite accepts too. Shards are written
// `CRC32(customer_id) % ?` (SQLite registers a CRC32 function computing core/shard.h's Crc32).
//
// Errors (every call that returns a Status): kAlreadyExists for a unique or primary key
// violation of an INSERT (kInternal for any other statement), kRetry for a deadlock or a lock
// wait timeout (the transaction is dead until Rollback: every later call returns the same
// status), kUnavailable when the database cannot be reached, is busy past its timeout, shuts
// down or refuses writes, kInternal otherwise. Messages start with the statement's `what` and
// never contain a bound value or a password.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace loyalty::sql {

// One statement of the store: its text written once, and the rare per-engine override. Defined
// with static storage duration (the connection caches prepared statements by its address).
struct StmtDef {
  const char* what;                  // names the operation in errors: "find customer"
  const char* sql;                   // the common text (see the file comment)
  const char* sqlite_sql = nullptr;  // this text instead on SQLite, when set
  const char* mysql_sql = nullptr;   // this text instead on MySQL / MariaDB, when set
  const char* key_column = nullptr;  // an INSERT's AUTO_INCREMENT / rowid key (kReturning)
};

enum class EngineKind { kSqlite, kMysql };

// How a statement is prepared on top of its text.
enum class Variant {
  kPlain,
  kForUpdate,  // a SELECT that locks the rows it reads until the write transaction ends
  kReturning,  // an INSERT that returns the new row's AUTO_INCREMENT / rowid key (one column)
};

struct Dialect {
  EngineKind engine;
  const char* name;        // "sqlite" | "mysql"
  const char* for_update;  // appended for Variant::kForUpdate: "" (SQLite locks the database)
  // The text for `def` in this engine: the override if the def has one, else def.sql.
  const char* Text(const StmtDef& def) const {
    const char* override_sql = engine == EngineKind::kSqlite ? def.sqlite_sql : def.mysql_sql;
    return override_sql != nullptr ? override_sql : def.sql;
  }
};

inline constexpr Dialect kSqliteDialect{EngineKind::kSqlite, "sqlite", ""};
inline constexpr Dialect kMysqlDialect{EngineKind::kMysql, "mysql", " FOR UPDATE"};

// A prepared statement in use. Obtained from Connection::Prepare (as a Stmt, below), used by
// one call, reset when that call is done.
class Statement {
 public:
  virtual ~Statement() = default;

  // The value of the next parameter number (?1 first). A parameter written twice binds once.
  virtual void BindInt(int64_t value) = 0;
  virtual void BindText(std::string_view value) = 0;
  virtual void BindNull() = 0;
  void BindBool(bool value) { BindInt(value ? 1 : 0); }
  void BindOptionalText(const std::optional<std::string>& value) {
    if (value.has_value()) {
      BindText(*value);
    } else {
      BindNull();
    }
  }

  // Runs the statement on the first call and moves to the next row: true with a row to read,
  // false when there are no more. Every parameter must have been bound (else kInternal).
  virtual Result<bool> Step() = 0;
  // Runs a statement that returns no rows. Returns the rows it matched (an UPDATE that sets a
  // row to the values it has counts: MySQL's "found rows", SQLite's changes).
  virtual Result<int64_t> Execute() = 0;

  // Columns of the current row, numbered from 0 in select-list order. NULL reads as 0 / "".
  virtual int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
  bool Bool(int column) const { return Int(column) != 0; }
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }

  // Forgets bindings and rows so that the cached statement is ready for its next use.
  virtual void Reset() = 0;
};

// A cached statement checked out for one use; resets it when it goes away.
class Stmt {
 public:
  explicit Stmt(Statement* statement) : statement_(statement) {}
  Stmt(Stmt&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt() {
    if (statement_ != nullptr) statement_->Reset();
  }
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

enum class TxKind { kNone, kWrite, kRead };

// One database connection. Not thread-safe: used by one thread at a time (any thread).
class Connection {
 public:
  virtual ~Connection() = default;  // rolls back an open transaction, then closes

  virtual const Dialect& dialect() const = 0;

  // The statement `def` in `variant`, prepared on this connection on first use and cached.
  // kForUpdate outside a write transaction, or on an engine whose for_update is "", prepares
  // the plain text. kReturning appends " RETURNING <def.key_column>"; on an engine without
  // it, that is kInternal: ask HasReturning() first.
  virtual Result<Stmt> Prepare(const StmtDef& def, Variant variant = Variant::kPlain) = 0;
  // A statement whose text is built at run time from a bounded set of shapes (multi-row inserts,
  // optional filters), prepared on first use and cached by its text. Also migrations' DDL.
  virtual Result<Stmt> PrepareText(std::string_view what, const std::string& sql) = 0;
  // True when INSERT ... RETURNING <key> is worth using (MariaDB 10.5+ and the store's config
  // allows it): one round trip instead of two. SQLite answers false (its last insert id is free).
  virtual bool HasReturning() = 0;
  // The key of the last row this connection inserted into an AUTO_INCREMENT / rowid table.
  virtual Result<int64_t> LastInsertId() = 0;

  // Transactions. Begin(kWrite): a write transaction (SQLite: BEGIN IMMEDIATE, the database
  // write lock; MySQL: READ COMMITTED, row locks taken by kForUpdate reads and writes).
  // Begin(kRead): one consistent snapshot (MySQL: REPEATABLE READ, read only). A connection that
  // died while idle reconnects here. Beginning with a transaction open is kInternal.
  virtual Status Begin(TxKind kind) = 0;
  virtual Status Commit() = 0;  // rolls back when the commit fails: no transaction stays open
  virtual void Rollback() = 0;  // never fails; a no-op without a transaction
  virtual TxKind tx() const = 0;

  // The one savepoint of a command (core/executor.h): set, then release or roll back to it.
  // After RollbackToSavepoint the savepoint is gone, as after a release.
  virtual Status Savepoint() = 0;
  virtual Status ReleaseSavepoint() = 0;
  virtual Status RollbackToSavepoint() = 0;
};

}  // namespace loyalty::sql
