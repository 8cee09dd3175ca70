#include "store/sqlite/sqlite_driver.h"

#include <cctype>
#include <string>
#include <utility>

#include "core/shard.h"

namespace loyalty::sql {

namespace {

// The Status for a failed result code `rc` of `db`. `what` names the operation and starts the
// message; the detail is SQLite's, which names tables, columns and constraints, never a bound
// value. A unique or primary key violation is kAlreadyExists when `is_insert`, kInternal
// otherwise (an UPDATE that collides with a key is a bug, not a duplicate request).
Status ErrorStatus(sqlite3* db, int rc, std::string_view what, bool is_insert = false) {
  LOYALTY_CHECK(rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE);
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string where(what);
  switch (rc & 0xff) {  // the primary code under the extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Code::kUnavailable, where + ": database is busy (" + detail + ")");
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
      return Status(Code::kUnavailable, where + ": database unavailable (" + detail + ")");
    default:
      break;
  }
  return Status(Code::kInternal, where + ": sqlite error: " + detail);
}

// Runs SQL text that carries no values and returns no rows (the pragmas of a new connection).
Status Exec(sqlite3* db, const char* sql, std::string_view what) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text stays readable through sqlite3_errmsg
  if (rc != SQLITE_OK) return ErrorStatus(db, rc, what);
  return Status::Ok();
}

// PRAGMA journal_mode answers with the mode in effect, which is not WAL when the switch failed.
Status EnableWal(sqlite3* db) {
  constexpr std::string_view kWhat = "enable WAL";
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(db, rc, kWhat);
  }
  rc = sqlite3_step(stmt);
  std::string mode;
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    if (text != nullptr) mode = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return ErrorStatus(db, rc, kWhat);
  if (mode != "wal") {
    return Status(Code::kUnavailable,
                  "cannot switch the database to WAL mode (journal_mode is '" + mode + "')");
  }
  return Status::Ok();
}

// CRC32(text): core/shard.h's Crc32, so `CRC32(customer_id) % ?` is ShardOf() inside SQL (the
// same expression as MySQL's built-in). NULL for NULL, as MySQL; other values are read as text.
void Crc32Function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int bytes = sqlite3_value_bytes(argv[0]);  // after _text: the length of the UTF-8 form
  if (text == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_int64(
      ctx, static_cast<sqlite3_int64>(Crc32(std::string_view(text, static_cast<size_t>(bytes)))));
}

// Transaction control. Prepared and cached like any statement (they run once per transaction).
constexpr StmtDef kBeginWrite{.what = "begin", .sql = "BEGIN IMMEDIATE"};
// Deferred: in WAL mode the read snapshot starts at the first read and lasts until the end.
constexpr StmtDef kBeginRead{.what = "begin read", .sql = "BEGIN"};
constexpr StmtDef kCommit{.what = "commit", .sql = "COMMIT"};
constexpr StmtDef kRollback{.what = "rollback", .sql = "ROLLBACK"};
constexpr StmtDef kSavepoint{.what = "savepoint", .sql = "SAVEPOINT cmd"};
constexpr StmtDef kRelease{.what = "release savepoint", .sql = "RELEASE cmd"};
constexpr StmtDef kRollbackTo{.what = "rollback to savepoint", .sql = "ROLLBACK TO cmd"};

}  // namespace

// A prepared statement of the cache. Values are bound in parameter order; the first binding
// failure is kept and reported by the next Step/Execute (bindings themselves cannot fail the
// caller's flow).
class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3_stmt* stmt, std::string_view what, bool is_insert)
      : stmt_(stmt), what_(what), is_insert_(is_insert) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindInt(int64_t value) override { Bound(sqlite3_bind_int64(stmt_, next_param_++, value)); }
  void BindText(std::string_view value) override {
    Bound(sqlite3_bind_text64(stmt_, next_param_++, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
  }
  void BindNull() override { Bound(sqlite3_bind_null(stmt_, next_param_++)); }

  Result<bool> Step() override {
    LOYALTY_RETURN_IF_ERROR(CheckBindings());
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return ErrorStatus(db(), rc, what_, is_insert_);
  }

  Result<int64_t> Execute() override {
    LOYALTY_RETURN_IF_ERROR(CheckBindings());
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE) return static_cast<int64_t>(sqlite3_changes64(db()));
    if (rc == SQLITE_ROW) return Status(Code::kInternal, what_ + ": unexpected row");
    return ErrorStatus(db(), rc, what_, is_insert_);
  }

  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    if (text == nullptr) return std::string();
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }

  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_param_ = 1;
    bind_rc_ = SQLITE_OK;
  }

 private:
  sqlite3* db() const { return sqlite3_db_handle(stmt_); }

  void Bound(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  // Every parameter bound, each binding accepted.
  Status CheckBindings() const {
    const int expected = sqlite3_bind_parameter_count(stmt_);
    if (bind_rc_ == SQLITE_OK && next_param_ - 1 == expected) return Status::Ok();
    return Status(Code::kInternal, what_ + ": bound " + std::to_string(next_param_ - 1) + " of " +
                                       std::to_string(expected) + " parameters (" +
                                       sqlite3_errstr(bind_rc_) + ")");
  }

  sqlite3_stmt* const stmt_;
  const std::string what_;
  const bool is_insert_;
  int next_param_ = 1;
  int bind_rc_ = SQLITE_OK;  // first binding failure, reported by the next step
};

int RegisterCrc32Function(sqlite3* db) {
  return sqlite3_create_function(db, "CRC32", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                 &Crc32Function, nullptr, nullptr);
}

Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path,
                                                         const SqliteOptions& opts) {
  LOYALTY_CHECK(opts.busy_timeout_ms >= 0);
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteConnection::DbHandle db(raw);  // sqlite3_open_v2 hands out a handle to close even on error
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
  const int fn_rc = RegisterCrc32Function(db.get());
  if (fn_rc != SQLITE_OK) return ErrorStatus(db.get(), fn_rc, "register CRC32");
  return std::unique_ptr<Connection>(new SqliteConnection(std::move(db)));
}

SqliteConnection::SqliteConnection(DbHandle db) : db_(std::move(db)) {}

SqliteConnection::~SqliteConnection() {
  Rollback();
  // Statements first: the connection closes at once when none is left (close_v2 would otherwise
  // keep it as a zombie until the last one is finalized).
  cache_.by_def.clear();
  cache_.by_text.clear();
}

Result<std::unique_ptr<SqliteStatement>> SqliteConnection::PrepareNew(std::string_view what,
                                                                      const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(db_.get(), rc, what);
  }
  auto statement = std::make_unique<SqliteStatement>(stmt, what, IsInsertStatement(sql));
  if (stmt == nullptr) {  // only blanks and comments
    return Status(Code::kInternal, std::string(what) + ": empty statement");
  }
  // sqlite3_prepare reads one statement: refuse to drop the rest silently.
  for (; tail != nullptr && *tail != '\0'; ++tail) {
    if (!std::isspace(static_cast<unsigned char>(*tail))) {
      return Status(Code::kInternal, std::string(what) + ": more than one statement");
    }
  }
  return statement;
}

Result<Stmt> SqliteConnection::Prepare(const StmtDef& def, Variant variant) {
  if (variant == Variant::kReturning) {
    return Status(Code::kInternal, std::string(def.what) +
                                       ": INSERT ... RETURNING is not used on SQLite"
                                       " (HasReturning() is false)");
  }
  // SQLite has no row locks: the write transaction holds the database's write lock, so a
  // locking read is the plain statement (one cache entry for both).
  const StatementCache<SqliteStatement>::DefKey key{&def, Variant::kPlain};
  auto it = cache_.by_def.find(key);
  if (it == cache_.by_def.end()) {
    LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStatement> statement,
                             PrepareNew(def.what, dialect().Text(def)));
    it = cache_.by_def.emplace(key, std::move(statement)).first;
  }
  return Stmt(it->second.get());
}

Result<Stmt> SqliteConnection::PrepareText(std::string_view what, const std::string& sql) {
  auto it = cache_.by_text.find(sql);
  if (it == cache_.by_text.end()) {
    LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStatement> statement,
                             PrepareNew(what, sql.c_str()));
    it = cache_.by_text.emplace(sql, std::move(statement)).first;
  }
  return Stmt(it->second.get());
}

Result<int64_t> SqliteConnection::LastInsertId() {
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Status SqliteConnection::Run(const StmtDef& def) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Prepare(def));
  LOYALTY_ASSIGN_OR_RETURN(int64_t changes, stmt->Execute());
  (void)changes;
  return Status::Ok();
}

// --- transactions ---

Status SqliteConnection::Begin(TxKind kind) {
  if (kind == TxKind::kNone) return Status(Code::kInternal, "begin: no transaction kind");
  if (tx_ != TxKind::kNone) return Status(Code::kInternal, "begin: a transaction is open");
  LOYALTY_RETURN_IF_ERROR(Run(kind == TxKind::kWrite ? kBeginWrite : kBeginRead));
  tx_ = kind;
  return Status::Ok();
}

Status SqliteConnection::Commit() {
  Status status = Run(kCommit);
  if (!status.ok()) Rollback();
  tx_ = TxKind::kNone;
  return status;
}

void SqliteConnection::Rollback() {
  tx_ = TxKind::kNone;
  if (sqlite3_get_autocommit(db_.get())) return;  // no transaction open
  // Nothing to report: if even ROLLBACK fails, SQLite rolls back when the connection closes.
  (void)Run(kRollback);
}

Status SqliteConnection::Savepoint() { return Run(kSavepoint); }

Status SqliteConnection::ReleaseSavepoint() { return Run(kRelease); }

Status SqliteConnection::RollbackToSavepoint() {
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it so the next command starts afresh.
  LOYALTY_RETURN_IF_ERROR(Run(kRollbackTo));
  return Run(kRelease);
}

}  // namespace loyalty::sql
