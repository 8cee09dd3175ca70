#include "store/mysql/mysql_store.h"

#include <cppconn/exception.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/migration.h"
#include "store/mysql/mysql_connection.h"
#include "store/mysql/mysql_session.h"

namespace loyalty {

namespace {

using mysql::Bind;

// The schema version this binary needs. embed.cmake lists the migrations sorted by file name.
int NeededVersion() {
  int version = 0;
  for (const Migration& m : kMysqlMigrations) {
    LOYALTY_CHECK(m.version > version);  // numbered files, in order, no duplicates
    version = m.version;
  }
  return version;
}

// Runs `body` (which may throw sql::SQLException) and maps a failure to a Status.
template <typename Fn>
auto Guarded(const std::string& what, Fn&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const sql::SQLException& e) {
    return mysql::ErrorStatus(e, what, false);
  } catch (const std::exception& e) {
    return Status(Code::kInternal, what + ": " + e.what());
  }
}

void Execute(sql::Connection& conn, const std::string& sql) {
  std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(sql));
  stmt->execute();
}

// The versions recorded in schema_migrations, ascending; none before the first migration.
std::vector<int> AppliedVersions(sql::Connection& conn) {
  std::vector<int> versions;
  std::unique_ptr<sql::PreparedStatement> exists(conn.prepareStatement(
      "SELECT COUNT(*) FROM information_schema.tables"
      " WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'"));
  std::unique_ptr<sql::ResultSet> found(exists->executeQuery());
  if (!found->next() || found->getInt64(1) == 0) return versions;
  std::unique_ptr<sql::PreparedStatement> list(
      conn.prepareStatement("SELECT version FROM schema_migrations ORDER BY version"));
  std::unique_ptr<sql::ResultSet> rows(list->executeQuery());
  while (rows->next()) versions.push_back(static_cast<int>(rows->getInt64(1)));
  return versions;
}

int CurrentVersion(const std::vector<int>& applied) { return applied.empty() ? 0 : applied.back(); }

Status NewerThanBinary(int current, int needed) {
  return Status(Code::kUnavailable, "database schema is at version " + std::to_string(current) +
                                        ", newer than this binary (version " +
                                        std::to_string(needed) + "): upgrade the binary");
}

// The statements of a migration file: separated by ';' (comments never contain one), without
// those that hold only comments and blanks.
std::vector<std::string> Statements(const char* sql) {
  std::vector<std::string> out;
  std::string text(sql);
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

// A named lock per database, held by this connection until released or disconnected.
constexpr const char* kMigrateLock =
    "SELECT GET_LOCK(CONCAT('loyalty-migrate-', LEFT(SHA1(DATABASE()), 32)), ?)";
constexpr const char* kMigrateUnlock =
    "SELECT RELEASE_LOCK(CONCAT('loyalty-migrate-', LEFT(SHA1(DATABASE()), 32)))";

Result<int> MigrateLocked(sql::Connection& conn, int needed) {
  std::vector<int> applied = AppliedVersions(conn);
  if (CurrentVersion(applied) > needed) return NewerThanBinary(CurrentVersion(applied), needed);
  const SystemClock clock;
  int count = 0;
  for (const Migration& m : kMysqlMigrations) {
    if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) continue;
    for (const std::string& statement : Statements(m.sql)) {
      Status st = Guarded(std::string("migration ") + m.name, [&] {
        Execute(conn, statement);
        return Status::Ok();
      });
      if (!st.ok()) return st;
    }
    std::unique_ptr<sql::PreparedStatement> record(conn.prepareStatement(
        "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?, ?, ?)"));
    Bind(*record).Int(m.version).Text(m.name).Int(clock.NowMicros()).Update();
    ++count;
  }
  return count;
}

Status CheckName(const MysqlConfig& config) {
  if (mysql::IsSafeDatabaseName(config.database)) return Status::Ok();
  return Status::Invalid("database", "database names here must be 1 to 64 of A-Z a-z 0-9 _");
}

}  // namespace

MysqlStore::MysqlStore(MysqlConfig config)
    : config_(std::move(config)), open_sessions_(std::make_shared<std::atomic<int>>(0)) {}

Result<std::unique_ptr<MysqlStore>> MysqlStore::Open(const MysqlConfig& config) {
  if (config.user.empty() || config.host.empty() || config.database.empty()) {
    return Status::Invalid("--db", "a MySQL store needs a user, a host and a database");
  }
  if (config.max_sessions < 1 || config.connect_timeout_s < 1 || config.lock_wait_timeout_s < 1 ||
      config.read_timeout_s <= config.lock_wait_timeout_s || config.write_timeout_s < 1) {
    return Status::Invalid("--db", "MySQL limits: sessions and timeouts must be positive and the"
                                   " read timeout longer than the lock wait timeout");
  }
  // Fails early, with the server's reason, when the database cannot be used at all.
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> probe, mysql::Connect(config));
  return std::unique_ptr<MysqlStore>(new MysqlStore(config));
}

Status MysqlStore::CreateDatabase(const MysqlConfig& config) {
  LOYALTY_RETURN_IF_ERROR(CheckName(config));
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn, mysql::Connect(config, false));
  return Guarded("create database", [&] {
    Execute(*conn, "CREATE DATABASE IF NOT EXISTS `" + config.database +
                       "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    return Status::Ok();
  });
}

Status MysqlStore::DropDatabase(const MysqlConfig& config) {
  LOYALTY_RETURN_IF_ERROR(CheckName(config));
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn, mysql::Connect(config, false));
  return Guarded("drop database", [&] {
    Execute(*conn, "DROP DATABASE IF EXISTS `" + config.database + "`");
    return Status::Ok();
  });
}

Result<std::unique_ptr<Session>> MysqlStore::OpenSession() {
  if (++*open_sessions_ > config_.max_sessions) {
    --*open_sessions_;
    return Status(Code::kUnavailable, "all " + std::to_string(config_.max_sessions) +
                                          " MySQL sessions of this process are in use");
  }
  Result<std::unique_ptr<sql::Connection>> conn = mysql::Connect(config_);
  if (!conn.ok()) {
    --*open_sessions_;
    return conn.status();
  }
  return std::unique_ptr<Session>(
      std::make_unique<mysql::MysqlSession>(config_, open_sessions_, std::move(conn).value()));
}

Result<int> MysqlStore::Migrate() {
  const int needed = NeededVersion();
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn, mysql::Connect(config_));
  return Guarded("migrate", [&]() -> Result<int> {
    std::unique_ptr<sql::PreparedStatement> lock(conn->prepareStatement(kMigrateLock));
    std::unique_ptr<sql::ResultSet> got = Bind(*lock).Int(config_.migrate_lock_timeout_s).Query();
    if (!got->next() || got->isNull(1) || got->getInt64(1) != 1) {
      return Status(Code::kUnavailable, "another `loyalty migrate` holds the migration lock of " +
                                            Describe() + "; try again");
    }
    Result<int> applied = MigrateLocked(*conn, needed);
    std::unique_ptr<sql::PreparedStatement> unlock(conn->prepareStatement(kMigrateUnlock));
    std::unique_ptr<sql::ResultSet> released(unlock->executeQuery());
    return applied;
  });
}

Status MysqlStore::CheckSchema() {
  const int needed = NeededVersion();
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn, mysql::Connect(config_));
  return Guarded("check schema", [&] {
    std::vector<int> applied = AppliedVersions(*conn);
    const int current = CurrentVersion(applied);
    if (current > needed) return NewerThanBinary(current, needed);
    std::vector<int> expected;
    for (const Migration& m : kMysqlMigrations) expected.push_back(m.version);
    if (applied != expected) {
      return Status(Code::kUnavailable, "database schema is at version " +
                                            std::to_string(current) + ", this binary needs " +
                                            std::to_string(needed) + ": run `loyalty migrate`");
    }
    return Status::Ok();
  });
}

std::string MysqlStore::Describe() const { return DescribeMysql(config_); }

}  // namespace loyalty
