#include "store/sql/migrate.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loyalty::sql {

namespace {

// Whether schema_migrations exists yet (not before the first migration). information_schema is
// the standard's catalogue; SQLite has its own.
constexpr StmtDef kHasMigrationsTable{
    .what = "read schema version",
    .sql =
        "SELECT COUNT(*) FROM information_schema.tables"
        " WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'",
    .sqlite_sql =
        "SELECT COUNT(*) FROM sqlite_master"
        " WHERE type = 'table' AND name = 'schema_migrations'",
};

// Whether schema_migrations has its checksum column yet (added by migration 0005: the
// migrations before it are applied, and recorded, without one).
constexpr StmtDef kHasChecksumColumn{
    .what = "read schema version",
    .sql =
        "SELECT COUNT(*) FROM information_schema.columns"
        " WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'"
        " AND column_name = 'checksum'",
    .sqlite_sql =
        "SELECT COUNT(*) FROM pragma_table_info('schema_migrations')"
        " WHERE name = 'checksum'",
};

constexpr StmtDef kListApplied{
    .what = "read schema version",
    .sql = "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
};
constexpr StmtDef kListAppliedWithoutChecksum{
    .what = "read schema version",
    .sql = "SELECT version, name, '' FROM schema_migrations ORDER BY version",
};

constexpr StmtDef kRecordMigration{
    .what = "record migration",
    .sql =
        "INSERT INTO schema_migrations (version, name, applied_at_us, checksum)"
        " VALUES (?, ?, ?, ?)",
};
constexpr StmtDef kRecordMigrationWithoutChecksum{
    .what = "record migration",
    .sql = "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?, ?, ?)",
};

// Only rows still without one: a checksum once recorded is never overwritten.
constexpr StmtDef kBackfillChecksum{
    .what = "record migration checksum",
    .sql = "UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum = ''",
};

struct AppliedRow {
  int version;
  std::string name;
  std::string checksum;  // '' for a row recorded before migration 0005 and not backfilled yet
};

struct AppliedState {
  bool has_checksum = false;     // the checksum column exists
  std::vector<AppliedRow> rows;  // ascending versions; none before the first migration

  int current() const { return rows.empty() ? 0 : rows.back().version; }
  bool Has(int version) const {
    return std::any_of(rows.begin(), rows.end(),
                       [version](const AppliedRow& r) { return r.version == version; });
  }
};

Result<bool> Exists(Connection& conn, const StmtDef& def) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn.Prepare(def));
  LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
  return has_row && stmt->Int(0) > 0;
}

Result<AppliedState> ReadApplied(Connection& conn) {
  AppliedState state;
  LOYALTY_ASSIGN_OR_RETURN(bool has_table, Exists(conn, kHasMigrationsTable));
  if (!has_table) return state;
  LOYALTY_ASSIGN_OR_RETURN(state.has_checksum, Exists(conn, kHasChecksumColumn));
  LOYALTY_ASSIGN_OR_RETURN(
      Stmt stmt, conn.Prepare(state.has_checksum ? kListApplied : kListAppliedWithoutChecksum));
  while (true) {
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    state.rows.push_back({static_cast<int>(stmt->Int(0)), stmt->Text(1), stmt->Text(2)});
  }
  return state;
}

// The schema version this binary needs. embed.cmake lists the migrations sorted by file name.
int NeededVersion(const std::vector<Migration>& migrations) {
  int version = 0;
  for (const Migration& m : migrations) {
    LOYALTY_CHECK(m.version > version);  // numbered files, in order, no duplicates
    version = m.version;
  }
  return version;
}

const Migration* Find(const std::vector<Migration>& migrations, int version) {
  for (const Migration& m : migrations) {
    if (m.version == version) return &m;
  }
  return nullptr;
}

// Ok when every recorded migration is one of `migrations`, as this binary carries it.
Status Verify(const AppliedState& state, const std::vector<Migration>& migrations) {
  const int needed = NeededVersion(migrations);
  if (state.current() > needed) {
    return Status(Code::kUnavailable, "database schema is at version " +
                                          std::to_string(state.current()) +
                                          ", newer than this binary (version " +
                                          std::to_string(needed) + "): upgrade the binary");
  }
  for (const AppliedRow& row : state.rows) {
    const Migration* m = Find(migrations, row.version);
    if (m == nullptr) {
      return Status(Code::kUnavailable,
                    "database records migration " + row.name + " (version " +
                        std::to_string(row.version) +
                        "), which this binary does not have: use the binary that applied it");
    }
    if (row.checksum.empty()) continue;  // recorded before 0005: backfilled by the next Migrate
    const std::string expected = MigrationChecksum(m->sql);
    if (row.checksum != expected) {
      return Status(Code::kUnavailable,
                    "migration " + std::string(m->name) +
                        " changed after it was applied (checksum " + row.checksum + " recorded, " +
                        expected +
                        " in this binary): restore the file as released and put the change in a"
                        " new migration");
    }
  }
  return Status::Ok();
}

Status InMigration(const Migration& m, const Status& status) {
  return Status(status.code(), "migration " + std::string(m.name) + ": " + status.message());
}

// The statements of a migration file: separated by ';' (comments never contain one), without
// those that hold only comments and blanks.
std::vector<std::string> Statements(const char* sql) {
  std::vector<std::string> out;
  const std::string text(sql);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    const std::string piece = text.substr(start, end - start);
    bool has_code = false;
    size_t line_start = 0;
    while (line_start < piece.size() && !has_code) {
      size_t line_end = piece.find('\n', line_start);
      if (line_end == std::string::npos) line_end = piece.size();
      const std::string line = piece.substr(line_start, line_end - line_start);
      const size_t first = line.find_first_not_of(" \t\r");
      has_code = first != std::string::npos && line.compare(first, 2, "--") != 0;
      line_start = line_end + 1;
    }
    if (has_code) out.push_back(piece);
    start = end + 1;
  }
  return out;
}

// Gives every row recorded without a checksum the checksum of the text this binary carries
// (they were applied before the column existed; Verify() has checked they are known versions).
Status Backfill(Connection& conn, const AppliedState& state,
                const std::vector<Migration>& migrations) {
  for (const AppliedRow& row : state.rows) {
    if (!row.checksum.empty()) continue;
    const Migration* m = Find(migrations, row.version);
    if (m == nullptr) continue;
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn.Prepare(kBackfillChecksum));
    stmt->BindText(MigrationChecksum(m->sql));
    stmt->BindInt(row.version);
    Result<int64_t> updated = stmt->Execute();
    if (!updated.ok()) {
      return Status(updated.status().code(),
                    "checksum of " + std::string(m->name) + ": " + updated.status().message());
    }
  }
  return Status::Ok();
}

// Runs every statement of `m`, then records it (with its checksum once the column exists:
// migration 0005 itself adds it, so the column is looked up after its statements ran). With the
// column there, the rows recorded without one are backfilled at once (on SQLite in the same
// transaction: a database never stays at 0005 with rows lacking their checksum).
Status RunAndRecord(Connection& conn, const Migration& m, const std::vector<Migration>& migrations,
                    Micros now_us) {
  const std::vector<std::string> statements = Statements(m.sql);
  for (size_t i = 0; i < statements.size(); ++i) {
    Status status = [&]() -> Status {
      LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn.PrepareText("run migration", statements[i]));
      LOYALTY_ASSIGN_OR_RETURN(int64_t changes, stmt->Execute());
      (void)changes;
      return Status::Ok();
    }();
    if (!status.ok()) {
      return Status(status.code(), "statement " + std::to_string(i + 1) + " of " +
                                       std::to_string(statements.size()) + ": " + status.message());
    }
  }
  LOYALTY_ASSIGN_OR_RETURN(bool has_checksum, Exists(conn, kHasChecksumColumn));
  LOYALTY_ASSIGN_OR_RETURN(
      Stmt record, conn.Prepare(has_checksum ? kRecordMigration : kRecordMigrationWithoutChecksum));
  record->BindInt(m.version);
  record->BindText(m.name);
  record->BindInt(now_us);
  if (has_checksum) record->BindText(MigrationChecksum(m.sql));
  LOYALTY_ASSIGN_OR_RETURN(int64_t recorded, record->Execute());
  (void)recorded;
  if (!has_checksum) return Status::Ok();
  LOYALTY_ASSIGN_OR_RETURN(AppliedState state, ReadApplied(conn));
  return Backfill(conn, state, migrations);
}

bool NeedsBackfill(const AppliedState& state) {
  return state.has_checksum && std::any_of(state.rows.begin(), state.rows.end(),
                                           [](const AppliedRow& r) { return r.checksum.empty(); });
}

// SQLite: each migration and its row commit together in one write transaction. The state is
// read again inside it, under the write lock: a concurrent Migrate() may have applied the
// migration since. Returns whether this call applied it.
Result<bool> ApplyInTransaction(Connection& conn, const Migration& m,
                                const std::vector<Migration>& migrations, Micros now_us) {
  LOYALTY_RETURN_IF_ERROR(conn.Begin(TxKind::kWrite));
  Result<bool> applied = [&]() -> Result<bool> {
    LOYALTY_ASSIGN_OR_RETURN(AppliedState state, ReadApplied(conn));
    if (state.Has(m.version)) return false;
    LOYALTY_RETURN_IF_ERROR(RunAndRecord(conn, m, migrations, now_us));
    return true;
  }();
  if (!applied.ok()) {
    conn.Rollback();
    return applied.status();
  }
  LOYALTY_RETURN_IF_ERROR(conn.Commit());
  return applied;
}

// SQLite: the backfill in a write transaction of its own, on the state read under the lock.
Status BackfillInTransaction(Connection& conn, const std::vector<Migration>& migrations) {
  LOYALTY_RETURN_IF_ERROR(conn.Begin(TxKind::kWrite));
  Status status = [&]() -> Status {
    LOYALTY_ASSIGN_OR_RETURN(AppliedState state, ReadApplied(conn));
    LOYALTY_RETURN_IF_ERROR(Verify(state, migrations));
    return Backfill(conn, state, migrations);
  }();
  if (!status.ok()) {
    conn.Rollback();
    return status;
  }
  return conn.Commit();
}

}  // namespace

std::string MigrationChecksum(const char* sql) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const char* p = sql; *p != '\0'; ++p) {
    hash ^= static_cast<unsigned char>(*p);
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(hex, 16);
}

Result<int> ApplyMigrations(Connection& conn, const std::vector<Migration>& migrations,
                            Micros now_us) {
  const bool transactional = conn.dialect().engine == EngineKind::kSqlite;
  LOYALTY_ASSIGN_OR_RETURN(AppliedState state, ReadApplied(conn));
  LOYALTY_RETURN_IF_ERROR(Verify(state, migrations));
  int count = 0;
  for (const Migration& m : migrations) {
    if (state.Has(m.version)) continue;
    if (transactional) {
      Result<bool> applied = ApplyInTransaction(conn, m, migrations, now_us);
      if (!applied.ok()) return InMigration(m, applied.status());
      if (*applied) ++count;
    } else {
      // MySQL commits each DDL statement by itself: no transaction would hold them together.
      // The migrations are written to be re-runnable instead, and the store holds a named lock
      // so that no other node migrates at the same time.
      Status status = RunAndRecord(conn, m, migrations, now_us);
      if (!status.ok()) return InMigration(m, status);
      ++count;
    }
  }
  // Rows still without a checksum: recorded before the column existed by an earlier run that
  // stopped there, or by hand.
  LOYALTY_ASSIGN_OR_RETURN(state, ReadApplied(conn));
  if (NeedsBackfill(state)) {
    if (transactional) {
      LOYALTY_RETURN_IF_ERROR(BackfillInTransaction(conn, migrations));
    } else {
      LOYALTY_RETURN_IF_ERROR(Backfill(conn, state, migrations));
    }
  }
  return count;
}

Status CheckMigrations(Connection& conn, const std::vector<Migration>& migrations) {
  const int needed = NeededVersion(migrations);
  LOYALTY_ASSIGN_OR_RETURN(AppliedState state, ReadApplied(conn));
  LOYALTY_RETURN_IF_ERROR(Verify(state, migrations));
  // Verify() has checked that every row is a known migration: equal counts mean all are there.
  if (state.rows.size() != migrations.size()) {
    return Status(Code::kUnavailable, "database schema is at version " +
                                          std::to_string(state.current()) + ", this binary needs " +
                                          std::to_string(needed) + ": run `loyalty migrate`");
  }
  return Status::Ok();
}

}  // namespace loyalty::sql
