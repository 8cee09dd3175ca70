// Migration 0007 on MySQL (schema/mysql/0007_refund_figures.sql): the rows of
// tests/store/refund_figures_rows.h written at 0006, migrated, and the migration's UPDATEs run
// again, as a run stopped after them and started again would (MySQL has no transaction around a
// migration). Needs $LOYALTY_TEST_MYSQL_URL (skipped with a message otherwise).
#include <memory>

#include "store/migration.h"
#include "store/mysql/mysql_driver.h"
#include "store/sql/migrate.h"
#include "tests/store/mysql_test_backend.h"
#include "tests/store/refund_figures_rows.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

constexpr Micros kNow = 1'700'000'000'000'000;

TEST(MysqlMigrationRefundFiguresTest, ClawedBecomesWhatWasRemovedAndTheRequestIsKept) {
  if (!TestMysqlConfig()) GTEST_SKIP() << MysqlSkipReason();
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MysqlStore> store, OpenMysqlTestStore(dir.path()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sql::Connection> conn,
                       sql::OpenMysqlConnection(store->config(), nullptr));
  const std::vector<Migration> before = MigrationsBeforeRefundFigures(kMysqlMigrations);
  ASSERT_LT(before.size(), kMysqlMigrations.size());
  ASSERT_OK(sql::ApplyMigrations(*conn, before, kNow));
  InsertRowsBeforeRefundFigures(*conn);

  ASSERT_OK_AND_ASSIGN(int applied, sql::ApplyMigrations(*conn, kMysqlMigrations, kNow));
  EXPECT_EQ(applied, static_cast<int>(kMysqlMigrations.size() - before.size()));
  EXPECT_EQ(ReadRefundFigures(*conn), ExpectedRefundFigures());
  EXPECT_EQ(RerunRefundFiguresUpdates(*conn, kMysqlMigrations), 4);
  EXPECT_EQ(ReadRefundFigures(*conn), ExpectedRefundFigures());
  EXPECT_OK(store->CheckSchema());
}

}  // namespace
}  // namespace loyalty::testing
