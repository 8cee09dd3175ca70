// Migration 0007 on SQLite: refunds and orders recorded before it held what a clawback asked
// back in clawed_points / earn_clawed_points. After it they hold what was removed, and the
// request is clawback_requested_points; running its UPDATEs again changes nothing. The same
// rows on MySQL: mysql_migration_refund_figures_test.cpp.
#include <memory>

#include "store/migration.h"
#include "store/sql/migrate.h"
#include "store/sqlite/sqlite_driver.h"
#include "tests/store/refund_figures_rows.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

constexpr Micros kNow = 1'700'000'000'000'000;

TEST(MigrationRefundFiguresTest, ClawedBecomesWhatWasRemovedAndTheRequestIsKept) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sql::Connection> conn,
                       sql::OpenSqliteConnection(dir.path() + "/loyalty.db", SqliteOptions{}));
  const std::vector<Migration> before = MigrationsBeforeRefundFigures(kSqliteMigrations);
  ASSERT_LT(before.size(), kSqliteMigrations.size());
  ASSERT_OK(sql::ApplyMigrations(*conn, before, kNow));
  InsertRowsBeforeRefundFigures(*conn);

  ASSERT_OK_AND_ASSIGN(int applied, sql::ApplyMigrations(*conn, kSqliteMigrations, kNow));
  EXPECT_EQ(applied, static_cast<int>(kSqliteMigrations.size() - before.size()));
  EXPECT_EQ(ReadRefundFigures(*conn), ExpectedRefundFigures());
  EXPECT_EQ(RerunRefundFiguresUpdates(*conn, kSqliteMigrations), 4);
  EXPECT_EQ(ReadRefundFigures(*conn), ExpectedRefundFigures());
}

}  // namespace
}  // namespace loyalty::testing
