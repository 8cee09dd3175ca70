// MysqlConnection and MysqlStatement: the driver of store/sql/driver.h over Connector/C++ 1.1.
// See mysql_driver.h. The connector's namespace is written ::sql (loyalty::sql is this one).
#include "store/mysql/mysql_driver.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "store/mysql/mysql_connection.h"
#include "store/sql/driver_util.h"

namespace loyalty::sql {

namespace {

// Transaction control and the last insert id, prepared once per connection like any statement.
constexpr const char* kBegin = "START TRANSACTION";
constexpr const char* kSessionReadCommitted =
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
constexpr const char* kSessionRepeatableRead =
    "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ";
constexpr const char* kBeginRead = "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kSavepoint = "SAVEPOINT cmd";
constexpr const char* kRollbackTo = "ROLLBACK TO SAVEPOINT cmd";
constexpr const char* kLastInsertId = "SELECT LAST_INSERT_ID()";

}  // namespace

class MysqlConnection;

// One cached statement. It outlives the server-side statement it wraps: when the connection is
// lost, the connection drops every wrapped sql::PreparedStatement (they belong to the dead
// connection) and keeps the wrappers, which prepare again on first use after the reconnect. So a
// Stmt checked out while the connection died never points to freed memory; using it reports the
// lost connection.
class MysqlStatement final : public Statement {
 public:
  MysqlStatement(MysqlConnection* conn, std::string what, std::string sql)
      : conn_(conn),
        what_(std::move(what)),
        sql_(std::move(sql)),
        is_insert_(IsInsertStatement(sql_)) {}

  void BindInt(int64_t value) override {
    Bind([&](unsigned index) { stmt_->setInt64(index, value); });
  }
  void BindText(std::string_view value) override {
    Bind([&](unsigned index) {
      stmt_->setString(index, ::sql::SQLString(value.data(), value.size()));
    });
  }
  void BindNull() override {
    Bind([&](unsigned index) { stmt_->setNull(index, ::sql::DataType::VARCHAR); });
  }

  Result<bool> Step() override;
  Result<int64_t> Execute() override;

  // The connector counts columns from 1.
  int64_t Int(int column) const override {
    return Read<int64_t>(column, 0, [&] { return rs_->getInt64(Column(column)); });
  }
  std::string Text(int column) const override {
    return Read<std::string>(column, std::string(), [&] {
      if (rs_->isNull(Column(column))) return std::string();
      return rs_->getString(Column(column)).asStdString();
    });
  }
  bool IsNull(int column) const override {
    return Read<bool>(column, true, [&] { return rs_->isNull(Column(column)); });
  }

  void Reset() override {
    mysql::EnsureThreadRegistered();
    rs_.reset();
    index_ = 0;
    fresh_ = true;
    error_.reset();
    in_use_ = false;
  }

 private:
  friend class MysqlConnection;

  static uint32_t Column(int column) { return static_cast<uint32_t>(column) + 1; }

  // Sets the next parameter (numbered from 1). A failure is kept and returned by Step / Execute.
  template <typename Fn>
  void Bind(Fn&& set) {
    ++index_;
    if (error_.has_value() || stmt_ == nullptr) return;  // Step / Execute report it
    try {
      ClearIfFresh();
      set(index_);
    } catch (const ::sql::SQLException& e) {
      error_ = mysql::ErrorStatus(e, what_, false);
    } catch (const std::exception& e) {
      error_ = Status(Code::kInternal, what_ + ": " + e.what());
    }
  }
  // The previous use's values go at the first bind (or run) of the next use: a parameter left
  // unbound is then an error rather than the old value. Throws.
  void ClearIfFresh() {
    if (!fresh_) return;
    stmt_->clearParameters();
    fresh_ = false;
  }
  // A column of the current row. Reading without a row (a bug, or a row set the lost connection
  // took away) reads `fallback`; the next Step() of this statement reports the failure.
  template <typename T, typename Fn>
  T Read(int column, T fallback, Fn&& get) const {
    if (rs_ == nullptr || column < 0) {
      if (!error_.has_value()) {
        error_ = Status(Code::kInternal, what_ + ": column " + std::to_string(column) +
                                             " read without a current row");
      }
      return fallback;
    }
    try {
      return get();
    } catch (const ::sql::SQLException& e) {
      if (!error_.has_value()) error_ = mysql::ErrorStatus(e, what_, false);
    } catch (const std::exception& e) {
      if (!error_.has_value()) error_ = Status(Code::kInternal, what_ + ": " + e.what());
    }
    return fallback;
  }
  // Drops the server-side statement and its rows (the connection is going away).
  void Drop() {
    rs_.reset();
    stmt_.reset();
  }

  MysqlConnection* const conn_;
  std::string what_;       // the def's `what` (PrepareText: the latest caller's)
  const std::string sql_;  // the text as prepared, variant applied
  const bool is_insert_;
  // Declared before rs_: a result set is destroyed before its statement.
  std::unique_ptr<::sql::PreparedStatement> stmt_;  // null until prepared, after a lost connection
  std::unique_ptr<::sql::ResultSet> rs_;            // set by the first Step() of a use
  unsigned index_ = 0;                              // parameters bound in this use
  bool fresh_ = true;                               // no bind or run since Reset()
  bool in_use_ = false;                             // checked out as a Stmt
  mutable std::optional<Status> error_;             // a failed bind or read of this use
};

class MysqlConnection final : public Connection {
 public:
  MysqlConnection(MysqlConfig config, std::shared_ptr<std::atomic<int>> open_sessions,
                  bool select_database, std::unique_ptr<::sql::Connection> conn)
      : config_(std::move(config)),
        open_sessions_(std::move(open_sessions)),
        select_database_(select_database),
        conn_(std::move(conn)) {}

  ~MysqlConnection() override {
    mysql::EnsureThreadRegistered();
    Rollback();
    DropConnection();
    if (open_sessions_ != nullptr) --*open_sessions_;
  }

  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  const Dialect& dialect() const override { return kMysqlDialect; }

  Result<Stmt> Prepare(const StmtDef& def, Variant variant) override;
  Result<Stmt> PrepareText(std::string_view what, const std::string& sql) override;
  bool HasReturning() override;
  Result<int64_t> LastInsertId() override;

  Status Begin(TxKind kind) override;
  Status Commit() override;
  void Rollback() override;
  TxKind tx() const override { return tx_; }

  Status Savepoint() override;
  Status ReleaseSavepoint() override;
  Status RollbackToSavepoint() override;

 private:
  friend class MysqlStatement;

  // Ok when statements may run: registers the thread, returns the dead transaction's status, and
  // reconnects if the connection is gone and no transaction is open.
  Status Usable();
  // Ok when `stmt`, checked out earlier, may run now.
  Status Runnable(const MysqlStatement& stmt) const;
  // Records what a failure means for the connection (dead transaction, lost connection).
  Status Failed(const ::sql::SQLException& e, std::string_view what, bool is_insert);
  void DropConnection();  // closes the connection and drops the server-side statements
  // HasReturning(), or why the server could not be asked.
  Result<bool> Returning();
  // Prepares `stmt` on the server if needed and checks it out.
  Result<Stmt> Checkout(MysqlStatement& stmt);
  MysqlStatement& ByText(std::string_view what, const std::string& sql);
  // Runs a statement without values or rows (transaction control).
  Status Exec(std::string_view what, const char* sql);

  const MysqlConfig config_;
  const std::shared_ptr<std::atomic<int>> open_sessions_;  // may be null
  const bool select_database_;
  std::unique_ptr<::sql::Connection> conn_;  // null after it was lost
  // Declared after conn_: statements are destroyed before their connection.
  StatementCache<MysqlStatement> cache_;
  std::optional<bool> returning_;  // HasReturning(), asked once per connection
  TxKind tx_ = TxKind::kNone;
  bool savepoint_set_ = false;    // "cmd" set and neither released nor rolled back to
  bool repeatable_read_ = false;  // the session's isolation level (READ COMMITTED when false)
  std::optional<Status> dead_;    // set when the open transaction can only be rolled back
};

// --- MysqlStatement ---

Result<bool> MysqlStatement::Step() {
  mysql::EnsureThreadRegistered();
  if (error_.has_value()) return *error_;
  if (rs_ == nullptr) {  // the first call runs the statement
    LOYALTY_RETURN_IF_ERROR(conn_->Runnable(*this));
    try {
      ClearIfFresh();
      rs_.reset(stmt_->executeQuery());
    } catch (const ::sql::SQLException& e) {
      return conn_->Failed(e, what_, is_insert_);  // may drop this statement: return at once
    } catch (const std::exception& e) {
      return Status(Code::kInternal, what_ + ": " + e.what());
    }
    if (rs_ == nullptr) return Status(Code::kInternal, what_ + ": no result set");
  }
  try {
    return rs_->next();
  } catch (const ::sql::SQLException& e) {
    return conn_->Failed(e, what_, is_insert_);
  } catch (const std::exception& e) {
    return Status(Code::kInternal, what_ + ": " + e.what());
  }
}

Result<int64_t> MysqlStatement::Execute() {
  mysql::EnsureThreadRegistered();
  if (error_.has_value()) return *error_;
  LOYALTY_RETURN_IF_ERROR(conn_->Runnable(*this));
  try {
    ClearIfFresh();
    // Matched rows, not changed ones: the connection sets CLIENT_FOUND_ROWS (mysql::Connect).
    return static_cast<int64_t>(stmt_->executeUpdate());
  } catch (const ::sql::SQLException& e) {
    return conn_->Failed(e, what_, is_insert_);
  } catch (const std::exception& e) {
    return Status(Code::kInternal, what_ + ": " + e.what());
  }
}

// --- MysqlConnection: the connection ---

Status MysqlConnection::Usable() {
  mysql::EnsureThreadRegistered();
  if (tx_ != TxKind::kNone && dead_.has_value()) return *dead_;
  if (conn_ != nullptr) return Status::Ok();
  if (tx_ != TxKind::kNone) return Status(Code::kUnavailable, "database connection lost");
  LOYALTY_ASSIGN_OR_RETURN(conn_, mysql::Connect(config_, select_database_));
  return Status::Ok();
}

Status MysqlConnection::Runnable(const MysqlStatement& stmt) const {
  if (tx_ != TxKind::kNone && dead_.has_value()) return *dead_;
  if (stmt.stmt_ == nullptr) {
    // Checked out before the connection was lost: its values went with it. The next call
    // outside a transaction reconnects.
    return Status(Code::kUnavailable, stmt.what_ + ": database connection lost");
  }
  return Status::Ok();
}

Status MysqlConnection::Failed(const ::sql::SQLException& e, std::string_view what,
                               bool is_insert) {
  Status status = mysql::ErrorStatus(e, what, is_insert);
  const mysql::Failure failure = mysql::Classify(e.getErrorCode());
  if (failure == mysql::Failure::kConnectionLost) DropConnection();
  const bool kills_transaction = failure == mysql::Failure::kConnectionLost ||
                                 failure == mysql::Failure::kDeadlock ||
                                 failure == mysql::Failure::kLockWaitTimeout;
  if (tx_ != TxKind::kNone && kills_transaction && !dead_.has_value()) dead_ = status;
  return status;
}

void MysqlConnection::DropConnection() {
  for (auto& [key, stmt] : cache_.by_def) stmt->Drop();
  for (auto& [text, stmt] : cache_.by_text) stmt->Drop();
  returning_.reset();
  repeatable_read_ = false;  // a new connection starts at READ COMMITTED (mysql::Connect)
  if (conn_ == nullptr) return;
  try {
    conn_->close();
  } catch (const std::exception&) {
    // The connection is gone either way.
  }
  conn_.reset();
}

Result<Stmt> MysqlConnection::Checkout(MysqlStatement& stmt) {
  if (stmt.in_use_) {
    return Status(Code::kInternal, stmt.what_ + ": statement already in use");
  }
  if (stmt.stmt_ == nullptr) {
    LOYALTY_RETURN_IF_ERROR(Usable());  // lost since the caller checked (HasReturning)
    try {
      stmt.stmt_.reset(conn_->prepareStatement(stmt.sql_));
    } catch (const ::sql::SQLException& e) {
      return Failed(e, stmt.what_, false);
    } catch (const std::exception& e) {
      return Status(Code::kInternal, stmt.what_ + ": " + e.what());
    }
  }
  stmt.Reset();
  stmt.in_use_ = true;
  return Stmt(&stmt);
}

Result<Stmt> MysqlConnection::Prepare(const StmtDef& def, Variant variant) {
  LOYALTY_RETURN_IF_ERROR(Usable());
  // Row locks only in a write transaction: a read snapshot is READ ONLY (where FOR UPDATE is an
  // error) and an autocommit read has nothing to hold them for.
  if (variant == Variant::kForUpdate && tx_ != TxKind::kWrite) variant = Variant::kPlain;
  if (variant == Variant::kReturning) {
    if (def.key_column == nullptr) {
      return Status(Code::kInternal, std::string(def.what) + ": RETURNING without a key column");
    }
    LOYALTY_ASSIGN_OR_RETURN(bool returning, Returning());
    if (!returning) {
      return Status(Code::kInternal, std::string(def.what) + ": RETURNING is not in use");
    }
  }
  const StatementCache<MysqlStatement>::DefKey key{&def, variant};
  auto it = cache_.by_def.find(key);
  if (it == cache_.by_def.end()) {
    std::string text = dialect().Text(def);
    if (variant == Variant::kForUpdate) text += dialect().for_update;
    if (variant == Variant::kReturning) text += std::string(" RETURNING ") + def.key_column;
    it = cache_.by_def
             .emplace(key, std::make_unique<MysqlStatement>(this, def.what, std::move(text)))
             .first;
  }
  return Checkout(*it->second);
}

MysqlStatement& MysqlConnection::ByText(std::string_view what, const std::string& sql) {
  auto it = cache_.by_text.find(sql);
  if (it == cache_.by_text.end()) {
    it = cache_.by_text.emplace(sql, std::make_unique<MysqlStatement>(this, std::string(what), sql))
             .first;
  } else if (!it->second->in_use_ && it->second->what_ != what) {
    it->second->what_ = std::string(what);
  }
  return *it->second;
}

Result<Stmt> MysqlConnection::PrepareText(std::string_view what, const std::string& sql) {
  LOYALTY_RETURN_IF_ERROR(Usable());
  return Checkout(ByText(what, sql));
}

Result<bool> MysqlConnection::Returning() {
  if (returning_.has_value()) return *returning_;
  if (!config_.use_returning) {
    returning_ = false;
    return false;
  }
  LOYALTY_RETURN_IF_ERROR(Usable());
  try {
    returning_ = mysql::SupportsInsertReturning(*conn_);
  } catch (const ::sql::SQLException& e) {
    return Failed(e, "server version", false);
  } catch (const std::exception& e) {
    return Status(Code::kInternal, std::string("server version: ") + e.what());
  }
  return *returning_;
}

bool MysqlConnection::HasReturning() {
  // When the server cannot be asked, no (and ask again next time): the insert that follows
  // fails the same way, or runs as INSERT + LAST_INSERT_ID() on a new connection.
  Result<bool> returning = Returning();
  return returning.ok() && *returning;
}

Result<int64_t> MysqlConnection::LastInsertId() {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, PrepareText("last insert id", kLastInsertId));
  LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
  if (!has_row) return Status(Code::kInternal, "last insert id: no row");
  return stmt->Int(0);
}

Status MysqlConnection::Exec(std::string_view what, const char* sql) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, PrepareText(what, sql));
  return stmt->Execute().status();
}

// --- MysqlConnection: transactions ---

Status MysqlConnection::Begin(TxKind kind) {
  const char* what = kind == TxKind::kRead ? "begin read" : "begin";
  if (kind == TxKind::kNone) return Status(Code::kInternal, "begin: no transaction kind");
  if (tx_ != TxKind::kNone) {
    return Status(Code::kInternal, std::string(what) + ": a transaction is open");
  }
  // Writes run at READ COMMITTED, reads at REPEATABLE READ (one snapshot). The session level is
  // switched only when the kind of transaction changes: a session used for one kind (writers,
  // the read pool) pays one round trip per transaction.
  const bool repeatable_read = kind == TxKind::kRead;
  Status status;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // A connection that died while idle (server restarted) fails on its first statement: that
    // loses nothing, so reconnect once and try again.
    const bool had_connection = conn_ != nullptr;
    status = Usable();  // connects if needed (at READ COMMITTED)
    if (status.ok() && repeatable_read_ != repeatable_read) {
      status = Exec(what, repeatable_read ? kSessionRepeatableRead : kSessionReadCommitted);
      if (status.ok()) repeatable_read_ = repeatable_read;
    }
    if (status.ok()) status = Exec(what, repeatable_read ? kBeginRead : kBegin);
    if (status.ok()) {
      tx_ = kind;
      dead_.reset();
      savepoint_set_ = false;
      return status;
    }
    if (!(had_connection && conn_ == nullptr)) break;
  }
  return status;
}

Status MysqlConnection::Commit() {
  Status status = Exec("commit", kCommit);
  if (!status.ok()) {
    Rollback();
    return status;
  }
  tx_ = TxKind::kNone;
  dead_.reset();
  savepoint_set_ = false;
  return status;
}

void MysqlConnection::Rollback() {
  if (tx_ == TxKind::kNone) return;
  dead_.reset();  // ROLLBACK is what a dead transaction needs
  if (conn_ != nullptr) {
    // Nothing to report: if even ROLLBACK fails, the server rolls back when the connection ends.
    (void)Exec("rollback", kRollback);
  }
  tx_ = TxKind::kNone;
  savepoint_set_ = false;
}

// One round trip per command instead of two: MySQL replaces a savepoint when one of the same
// name is set again, so "releasing" only forgets it here and the next SAVEPOINT (or the commit)
// drops it on the server.
Status MysqlConnection::Savepoint() {
  LOYALTY_RETURN_IF_ERROR(Exec("savepoint", kSavepoint));
  savepoint_set_ = true;
  return Status::Ok();
}

Status MysqlConnection::ReleaseSavepoint() {
  if (tx_ != TxKind::kNone && dead_.has_value()) return *dead_;
  if (!savepoint_set_) return Status(Code::kInternal, "release savepoint: no savepoint set");
  savepoint_set_ = false;
  return Status::Ok();
}

Status MysqlConnection::RollbackToSavepoint() {
  if (!savepoint_set_) return Status(Code::kInternal, "rollback to savepoint: no savepoint set");
  savepoint_set_ = false;
  return Exec("rollback to savepoint", kRollbackTo);
}

// --- the factory ---

Result<std::unique_ptr<Connection>> OpenMysqlConnection(
    const MysqlConfig& config, std::shared_ptr<std::atomic<int>> open_sessions,
    bool select_database) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<::sql::Connection> conn,
                           mysql::Connect(config, select_database));
  return std::unique_ptr<Connection>(std::make_unique<MysqlConnection>(
      config, std::move(open_sessions), select_database, std::move(conn)));
}

}  // namespace loyalty::sql
