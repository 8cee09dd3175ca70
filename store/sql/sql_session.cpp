// SqlSession: transactions and the helpers every record area uses. The records themselves are in
// sql_session_ledger.cpp, sql_session_orders.cpp, sql_session_tiers.cpp,
// sql_session_coupons.cpp, sql_session_messages.cpp and sql_session_api.cpp.
#include "store/sql/sql_session.h"

#include <limits>
#include <string>
#include <utility>

#include "core/limits.h"

namespace loyalty::sql {

SqlSession::SqlSession(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {
  LOYALTY_CHECK(conn_ != nullptr);
}

SqlSession::~SqlSession() { conn_->Rollback(); }

// --- transactions ---

Status SqlSession::Begin() {
  LOYALTY_RETURN_IF_ERROR(conn_->Begin(TxKind::kWrite));
  missing_.clear();
  return Status::Ok();
}

Status SqlSession::Commit() { return conn_->Commit(); }

void SqlSession::Rollback() { conn_->Rollback(); }

Status SqlSession::Savepoint() { return conn_->Savepoint(); }

Status SqlSession::ReleaseSavepoint() { return conn_->ReleaseSavepoint(); }

Status SqlSession::RollbackToSavepoint() { return conn_->RollbackToSavepoint(); }

Status SqlSession::BeginRead() { return conn_->Begin(TxKind::kRead); }

void SqlSession::EndRead() {
  if (conn_->tx() != TxKind::kRead) return;  // no read transaction: nothing to end
  // Nothing to report: a read transaction has nothing to lose, and a failed commit leaves no
  // transaction open (Rollback is a no-op then).
  if (!conn_->Commit().ok()) conn_->Rollback();
}

// --- helpers ---

Result<int64_t> SqlSession::Execute(const StmtDef& def, const Binder& bind) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn_->Prepare(def));
  bind(*stmt);
  return stmt->Execute();
}

Status SqlSession::ExecuteOne(const StmtDef& def, const Binder& bind, const char* what,
                              const std::string& key) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t matched, Execute(def, bind));
  if (matched > 0) return Status::Ok();
  return Status(Code::kNotFound, std::string(what) + " '" + key + "' not found");
}

Result<int64_t> SqlSession::InsertReturningId(const StmtDef& def, const Binder& bind) {
  if (conn_->HasReturning()) {  // MariaDB: the id comes back with the insert, one round trip
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn_->Prepare(def, Variant::kReturning));
    bind(*stmt);
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) return Status(Code::kInternal, std::string(def.what) + ": no id returned");
    return stmt->Int(0);
  }
  {
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn_->Prepare(def));
    bind(*stmt);
    Result<int64_t> inserted = stmt->Execute();
    if (!inserted.ok()) return inserted.status();
  }  // the statement is reset before the id is asked for
  return conn_->LastInsertId();
}

Status SqlSession::Inserted(Status status, const std::string& key) {
  if (conn_->tx() != TxKind::kWrite) return status;
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
  // or an update, as a single writer would have. (On SQLite the write transaction holds the
  // database lock, so no other writer can get in between and this never happens.)
  return Status(Code::kRetry, "inserted concurrently by another writer (" + status.message() + ")");
}

int PageLimit(int limit) {
  if (limit <= 0) return kDefaultPageSize;
  return limit < kMaxPageSize ? limit : kMaxPageSize;
}

int ExportPageLimit(int limit) {
  if (limit <= 0) return kDefaultPageSize;
  return limit < kMaxExportPageSize ? limit : kMaxExportPageSize;
}

Micros UpperBound(Micros before_us) {
  return before_us > 0 ? before_us : std::numeric_limits<Micros>::max();
}

}  // namespace loyalty::sql
