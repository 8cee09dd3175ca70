// MysqlSession: the connection (reconnecting, error mapping, statement cache) and transactions.
// Customers, lots and entries are in mysql_session_ledger.cpp, the other records in
// mysql_session_records.cpp.
#include "store/mysql/mysql_session.h"

#include <utility>

#include "store/mysql/mysql_statements.h"

namespace loyalty::mysql {

MysqlSession::MysqlSession(MysqlConfig config, std::shared_ptr<std::atomic<int>> open_sessions,
                           std::unique_ptr<sql::Connection> conn)
    : config_(std::move(config)),
      open_sessions_(std::move(open_sessions)),
      conn_(std::move(conn)) {}

MysqlSession::~MysqlSession() {
  EnsureThreadRegistered();
  Rollback();
  DropConnection();
  --*open_sessions_;
}

// --- connection ---

Status MysqlSession::Usable() {
  if (tx_ != Tx::kNone && dead_.has_value()) return *dead_;
  if (conn_ != nullptr) return Status::Ok();
  if (tx_ != Tx::kNone) return Status(Code::kUnavailable, "database connection lost");
  LOYALTY_ASSIGN_OR_RETURN(conn_, Connect(config_));
  return Status::Ok();
}

Status MysqlSession::Failed(const sql::SQLException& e, std::string_view what, bool is_insert) {
  Status status = ErrorStatus(e, what, is_insert);
  const Failure failure = Classify(e.getErrorCode());
  if (failure == Failure::kConnectionLost) DropConnection();
  const bool kills_transaction = failure == Failure::kConnectionLost ||
                                 failure == Failure::kDeadlock ||
                                 failure == Failure::kLockWaitTimeout;
  if (tx_ != Tx::kNone && kills_transaction && !dead_.has_value()) dead_ = status;
  return status;
}

void MysqlSession::DropConnection() {
  statements_.clear();
  returning_.reset();
  repeatable_read_ = false;  // a new connection starts at READ COMMITTED (Connect)
  if (conn_ == nullptr) return;
  try {
    conn_->close();
  } catch (const std::exception&) {
    // The connection is gone either way.
  }
  conn_.reset();
}

sql::PreparedStatement& MysqlSession::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::unique_ptr<sql::PreparedStatement> stmt(conn_->prepareStatement(sql));
    it = statements_.emplace(sql, std::move(stmt)).first;
  }
  return *it->second;
}

Status MysqlSession::Exec(std::string_view what, const char* sql) {
  return Run(what, false, [&] {
    Prepare(sql).execute();
    return Status::Ok();
  });
}

int64_t MysqlSession::InsertReturningId(const char* sql, const char* id_column,
                                        const std::function<void(Bind&)>& bind_values) {
  if (!returning_.has_value()) {
    returning_ = config_.use_returning && SupportsInsertReturning(*conn_);
  }
  if (*returning_) {  // MariaDB: the id comes back with the insert, one round trip
    Bind bind(Prepare(std::string(sql) + " RETURNING " + id_column));
    bind_values(bind);
    std::unique_ptr<sql::ResultSet> rs = bind.Query();
    LOYALTY_CHECK(rs->next());
    return Int(*rs, 1);
  }
  Bind bind(Prepare(sql));
  bind_values(bind);
  bind.Update();
  std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kLastInsertId)).Query();
  LOYALTY_CHECK(rs->next());
  return Int(*rs, 1);
}

Status MysqlSession::ExpectOne(int64_t matched, const char* what, const std::string& key) {
  if (matched > 0) return Status::Ok();
  return Status(Code::kNotFound, std::string(what) + " '" + key + "' not found");
}

Status MysqlSession::Inserted(Status status, const std::string& key) {
  if (tx_ != Tx::kWrite) return status;
  auto it = missing_.find(key);
  if (it == missing_.end()) return status;
  if (status.ok()) {
    missing_.erase(it);  // inserting it again would be a plain duplicate
    return status;
  }
  if (status.code() != Code::kAlreadyExists) return status;
  // This transaction looked the key up at READ COMMITTED and did not find it, so another writer
  // (another node) inserted it since and committed while this insert waited on its lock. That is
  // a write conflict like a deadlock: re-running the batch finds the row and answers as a replay
  // or an update, as a single writer would have.
  return Status(Code::kRetry, "inserted concurrently by another writer (" + status.message() + ")");
}

// --- transactions ---

Status MysqlSession::Open(Tx kind, std::string_view what) {
  if (tx_ != Tx::kNone) return Status(Code::kInternal, std::string(what) + ": a transaction is open");
  // Writes run at READ COMMITTED, reads at REPEATABLE READ (one snapshot). The session level is
  // switched only when the kind of transaction changes: a session used for one kind (writers,
  // the read pool) pays one round trip per transaction.
  const bool repeatable_read = kind == Tx::kRead;
  Status status;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // A connection that died while idle (server restarted) fails on its first statement: that
    // loses nothing, so reconnect once and try again.
    const bool had_connection = conn_ != nullptr;
    status = Usable();  // connects if needed (at READ COMMITTED)
    if (status.ok() && repeatable_read_ != repeatable_read) {
      status = Exec(what, repeatable_read ? stmt::kSessionRepeatableRead
                                          : stmt::kSessionReadCommitted);
      if (status.ok()) repeatable_read_ = repeatable_read;
    }
    if (status.ok()) status = Exec(what, repeatable_read ? stmt::kBeginRead : stmt::kBegin);
    if (status.ok()) {
      tx_ = kind;
      dead_.reset();
      savepoint_set_ = false;
      missing_.clear();
      return status;
    }
    if (!(had_connection && conn_ == nullptr)) break;
  }
  return status;
}

Status MysqlSession::Begin() { return Open(Tx::kWrite, "begin"); }

Status MysqlSession::BeginRead() { return Open(Tx::kRead, "begin read"); }

Status MysqlSession::Commit() {
  Status status = Exec("commit", stmt::kCommit);
  if (!status.ok()) {
    Rollback();
    return status;
  }
  tx_ = Tx::kNone;
  dead_.reset();
  return status;
}

void MysqlSession::Rollback() {
  if (tx_ == Tx::kNone) return;
  dead_.reset();  // ROLLBACK is what a dead transaction needs
  if (conn_ != nullptr) {
    // Nothing to report: if even ROLLBACK fails, the server rolls back when the connection ends.
    (void)Exec("rollback", stmt::kRollback);
  }
  tx_ = Tx::kNone;
}

// One round trip per command instead of two: MySQL replaces a savepoint when one of the same
// name is set again, so "releasing" only forgets it here and the next SAVEPOINT (or the commit)
// drops it on the server.
Status MysqlSession::Savepoint() {
  LOYALTY_RETURN_IF_ERROR(Exec("savepoint", stmt::kSavepoint));
  savepoint_set_ = true;
  return Status::Ok();
}

Status MysqlSession::ReleaseSavepoint() {
  if (tx_ != Tx::kNone && dead_.has_value()) return *dead_;
  if (!savepoint_set_) return Status(Code::kInternal, "release savepoint: no savepoint set");
  savepoint_set_ = false;
  return Status::Ok();
}

Status MysqlSession::RollbackToSavepoint() {
  if (!savepoint_set_) return Status(Code::kInternal, "rollback to savepoint: no savepoint set");
  savepoint_set_ = false;
  return Exec("rollback to savepoint", stmt::kRollbackTo);
}

void MysqlSession::EndRead() {
  if (tx_ != Tx::kRead) return;
  if (!Exec("end read", stmt::kCommit).ok()) {
    Rollback();
    return;
  }
  tx_ = Tx::kNone;
  dead_.reset();
}

}  // namespace loyalty::mysql
