// Internal to store/sqlite: opening a connection the way every session needs it, the mapping of
// SQLite result codes to Status, and Stmt, a prepared statement in use.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// Opens `path` read-write (creating it) with extended result codes, WAL journal, the
// synchronous level and busy timeout of `opts`, and foreign keys on.
Result<DbHandle> OpenConnection(const std::string& path, const SqliteOptions& opts);

// The Status for a failed result code `rc` of `db`. `what` names the operation for the message.
// A unique or primary key violation is kAlreadyExists when `is_insert`, kInternal otherwise.
Status ErrorStatus(sqlite3* db, int rc, std::string_view what, bool is_insert = false);

// Runs SQL text that carries no values (pragmas, migrations), all statements of it.
Status Exec(sqlite3* db, const char* sql, std::string_view what);

// A prepared statement in use. Values are bound in parameter order (?1, ?2, ... as written in
// the SQL); the statement is reset and its bindings cleared when the Stmt goes away, so a cached
// statement is ready for the next use. Owns the sqlite3_stmt only when constructed with
// `owned` (one-shot statements); cached ones belong to their session.
class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, std::string_view what, bool owned = false)
      : stmt_(stmt), what_(what), owned_(owned) {}
  Stmt(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // A one-shot statement, finalized when the Stmt goes away.
  static Result<Stmt> PrepareOnce(sqlite3* db, const char* sql, std::string_view what);

  void BindInt(int64_t value);
  void BindBool(bool value) { BindInt(value ? 1 : 0); }
  void BindText(std::string_view value);
  void BindOptionalText(const std::optional<std::string>& value);

  // Steps once: true with a row to read, false when done.
  Result<bool> Step();
  // Steps to completion, expecting no row (INSERT, UPDATE, DELETE, transaction control).
  Status Run();
  // Run() for an INSERT: a unique-key violation becomes kAlreadyExists.
  Status RunInsert();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool Bool(int column) const { return Int(column) != 0; }
  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;

  sqlite3* db() const { return sqlite3_db_handle(stmt_); }

 private:
  Status CheckBindings() const;  // every parameter bound, each binding accepted
  Status Finish(bool is_insert);

  sqlite3_stmt* stmt_;
  std::string_view what_;  // a string literal naming the operation
  bool owned_;
  int next_param_ = 1;
  int bind_rc_ = SQLITE_OK;  // first binding failure, reported by the next step
};

// Steps `stmt` to the end, reading every row with `read`.
template <typename T>
Result<std::vector<T>> ReadAll(Stmt& stmt, T (*read)(const Stmt&)) {
  std::vector<T> rows;
  while (true) {
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    rows.push_back(read(stmt));
  }
  return rows;
}

// Steps `stmt` once, reading the row with `read` if there is one.
template <typename T>
Result<std::optional<T>> ReadOne(Stmt& stmt, T (*read)(const Stmt&)) {
  LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return std::optional<T>();
  return std::optional<T>(read(stmt));
}

// Clamps a requested page size: <= 0 means kDefaultPageSize, at most kMaxPageSize.
int PageLimit(int limit);

}  // namespace loyalty::sqlite
