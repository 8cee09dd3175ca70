#include "store/mysql/mysql_store.h"

#include <utility>

#include "core/clock.h"
#include "store/migration.h"
#include "store/mysql/mysql_connection.h"
#include "store/mysql/mysql_driver.h"
#include "store/sql/migrate.h"
#include "store/sql/sql_session.h"

namespace loyalty {

namespace {

// A named lock per database, held by this connection until released or disconnected.
constexpr const char* kMigrateLock =
    "SELECT GET_LOCK(CONCAT('loyalty-migrate-', LEFT(SHA1(DATABASE()), 32)), ?)";
constexpr const char* kMigrateUnlock =
    "SELECT RELEASE_LOCK(CONCAT('loyalty-migrate-', LEFT(SHA1(DATABASE()), 32)))";

// Runs one statement without values or rows (DDL of the database itself).
Status ExecuteText(sql::Connection& conn, const char* what, const std::string& text) {
  LOYALTY_ASSIGN_OR_RETURN(sql::Stmt stmt, conn.PrepareText(what, text));
  return stmt->Execute().status();
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
    return Status::Invalid("--db",
                           "MySQL limits: sessions and timeouts must be positive and the"
                           " read timeout longer than the lock wait timeout");
  }
  // Fails early, with the server's reason, when the database cannot be used at all.
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> probe,
                           sql::OpenMysqlConnection(config, nullptr));
  return std::unique_ptr<MysqlStore>(new MysqlStore(config));
}

Status MysqlStore::CreateDatabase(const MysqlConfig& config) {
  LOYALTY_RETURN_IF_ERROR(CheckName(config));
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenMysqlConnection(config, nullptr, /*select_database=*/false));
  return ExecuteText(*conn, "create database",
                     "CREATE DATABASE IF NOT EXISTS `" + config.database +
                         "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
}

Status MysqlStore::DropDatabase(const MysqlConfig& config) {
  LOYALTY_RETURN_IF_ERROR(CheckName(config));
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenMysqlConnection(config, nullptr, /*select_database=*/false));
  return ExecuteText(*conn, "drop database", "DROP DATABASE IF EXISTS `" + config.database + "`");
}

Result<std::unique_ptr<Session>> MysqlStore::OpenSession() {
  if (++*open_sessions_ > config_.max_sessions) {
    --*open_sessions_;
    return Status(Code::kUnavailable, "all " + std::to_string(config_.max_sessions) +
                                          " MySQL sessions of this process are in use");
  }
  // From here the connection gives the count back when it closes.
  Result<std::unique_ptr<sql::Connection>> conn = sql::OpenMysqlConnection(config_, open_sessions_);
  if (!conn.ok()) {
    --*open_sessions_;
    return conn.status();
  }
  return std::unique_ptr<Session>(std::make_unique<sql::SqlSession>(std::move(conn).value()));
}

Result<int> MysqlStore::Migrate() {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenMysqlConnection(config_, nullptr));
  {
    LOYALTY_ASSIGN_OR_RETURN(sql::Stmt lock, conn->PrepareText("migrate", kMigrateLock));
    lock->BindInt(config_.migrate_lock_timeout_s);
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, lock->Step());
    if (!has_row || lock->IsNull(0) || lock->Int(0) != 1) {
      return Status(Code::kUnavailable, "another `loyalty migrate` holds the migration lock of " +
                                            Describe() + "; try again");
    }
  }
  const SystemClock clock;
  Result<int> applied = sql::ApplyMigrations(*conn, kMysqlMigrations, clock.NowMicros());
  Status released = [&]() -> Status {
    LOYALTY_ASSIGN_OR_RETURN(sql::Stmt unlock, conn->PrepareText("migrate", kMigrateUnlock));
    return unlock->Step().status();
  }();
  // Unreleased (the connection failed), the lock goes when the connection closes, just below.
  if (!applied.ok()) return applied;
  if (!released.ok()) return released;
  return applied;
}

Status MysqlStore::CheckSchema() {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> conn,
                           sql::OpenMysqlConnection(config_, nullptr));
  return sql::CheckMigrations(*conn, kMysqlMigrations);
}

std::string MysqlStore::Describe() const { return DescribeMysql(config_); }

}  // namespace loyalty
