#include "store/sqlite/sqlite_connection.h"

#include <string>
#include <utility>

#include "core/shard.h"
#include "core/types.h"

namespace loyalty::sqlite {

namespace {

// PRAGMA journal_mode answers with the mode in effect, which is not WAL when the switch failed.
Status EnableWal(sqlite3* db) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt,
                           Stmt::PrepareOnce(db, "PRAGMA journal_mode=WAL", "enable WAL"));
  LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  const std::string mode = has_row ? stmt.Text(0) : std::string();
  if (mode != "wal") {
    return Status(Code::kUnavailable,
                  "cannot switch the database to WAL mode (journal_mode is '" + mode + "')");
  }
  return Status::Ok();
}

}  // namespace

namespace {

void ShardFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  int bytes = sqlite3_value_bytes(argv[0]);
  int64_t shards = sqlite3_value_int64(argv[1]);
  if (text == nullptr || shards < 1 || shards > 1 << 20) {
    sqlite3_result_int(ctx, -1);
    return;
  }
  sqlite3_result_int(ctx, ShardOf(std::string_view(text, static_cast<size_t>(bytes)),
                                  static_cast<int>(shards)));
}

}  // namespace

Result<DbHandle> OpenConnection(const std::string& path, const SqliteOptions& opts) {
  LOYALTY_CHECK(opts.busy_timeout_ms >= 0);
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);  // sqlite3_open_v2 hands out a handle to close even when it fails
  if (rc != SQLITE_OK) {
    const std::string detail = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return Status(Code::kUnavailable, "cannot open sqlite database '" + path + "': " + detail);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), opts.busy_timeout_ms);
  LOYALTY_RETURN_IF_ERROR(EnableWal(db.get()));
  LOYALTY_RETURN_IF_ERROR(Exec(
      db.get(), opts.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
      "set synchronous"));
  LOYALTY_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA foreign_keys=ON", "enable foreign keys"));
  // Negative cache_size is in KiB; pages are allocated as they are used.
  const std::string cache = "PRAGMA cache_size=-" + std::to_string(int64_t{opts.cache_mib} * 1024);
  LOYALTY_RETURN_IF_ERROR(Exec(db.get(), cache.c_str(), "set cache size"));
  // loyalty_shard(customer_id, shards): the job's stable shard (core/shard.h) inside SQL.
  int fn_rc = sqlite3_create_function(db.get(), "loyalty_shard", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                      &ShardFunction, nullptr, nullptr);
  if (fn_rc != SQLITE_OK) return ErrorStatus(db.get(), fn_rc, "register loyalty_shard");
  return db;
}

Status ErrorStatus(sqlite3* db, int rc, std::string_view what, bool is_insert) {
  LOYALTY_CHECK(rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE);
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string where(what);
  switch (rc & 0xff) {  // the primary code under the extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Code::kUnavailable, "database is busy (" + where + ": " + detail + ")");
    case SQLITE_CONSTRAINT:
      if (is_insert && (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)) {
        return Status(Code::kAlreadyExists, where + ": " + detail);
      }
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return Status(Code::kUnavailable, "database unavailable (" + where + ": " + detail + ")");
    default:
      break;
  }
  return Status(Code::kInternal, "sqlite error (" + where + "): " + detail);
}

Status Exec(sqlite3* db, const char* sql, std::string_view what) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text stays readable through sqlite3_errmsg
  if (rc != SQLITE_OK) return ErrorStatus(db, rc, what);
  return Status::Ok();
}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      what_(other.what_),
      owned_(other.owned_),
      next_param_(other.next_param_),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Result<Stmt> Stmt::PrepareOnce(sqlite3* db, const char* sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(db, rc, what);
  }
  return Stmt(stmt, what, /*owned=*/true);
}

void Stmt::BindInt(int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, next_param_++, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::BindText(std::string_view value) {
  const int rc = sqlite3_bind_text64(stmt_, next_param_++, value.data(), value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::BindOptionalText(const std::optional<std::string>& value) {
  if (value.has_value()) {
    BindText(*value);
    return;
  }
  const int rc = sqlite3_bind_null(stmt_, next_param_++);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Status Stmt::CheckBindings() const {
  const int expected = sqlite3_bind_parameter_count(stmt_);
  if (bind_rc_ == SQLITE_OK && next_param_ - 1 == expected) return Status::Ok();
  return Status(Code::kInternal, "sqlite error (" + std::string(what_) + "): bound " +
                                     std::to_string(next_param_ - 1) + " of " +
                                     std::to_string(expected) + " parameters (" +
                                     sqlite3_errstr(bind_rc_) + ")");
}

Result<bool> Stmt::Step() {
  LOYALTY_RETURN_IF_ERROR(CheckBindings());
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorStatus(db(), rc, what_);
}

Status Stmt::Finish(bool is_insert) {
  LOYALTY_RETURN_IF_ERROR(CheckBindings());
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_ROW) {
    return Status(Code::kInternal, "sqlite error (" + std::string(what_) + "): unexpected row");
  }
  return ErrorStatus(db(), rc, what_, is_insert);
}

Status Stmt::Run() { return Finish(/*is_insert=*/false); }

Status Stmt::RunInsert() { return Finish(/*is_insert=*/true); }

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Stmt::OptionalText(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Text(column);
}

int PageLimit(int limit) {
  if (limit <= 0) return kDefaultPageSize;
  return limit < kMaxPageSize ? limit : kMaxPageSize;
}

}  // namespace loyalty::sqlite
