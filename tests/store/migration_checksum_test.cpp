// The migration runner (store/sql/migrate.h) on SQLite: checksums recorded per applied
// migration, refusal of a changed file or an unknown version, the backfill of rows recorded
// before the checksum column existed. Through SqliteStore with the real migrations, and through
// the runner directly with small made-up ones.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/migration.h"
#include "store/sql/driver.h"
#include "store/sql/migrate.h"
#include "store/sqlite/sqlite_driver.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

constexpr Micros kNow = 1'700'000'000'000'000;

// A made-up schema: the bookkeeping table without its checksum, a migration that adds it (as
// 0005 does for the real one), and one more.
constexpr const char* kInitSql =
    "-- made up for the test\n"
    "CREATE TABLE schema_migrations (\n"
    "  version INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  applied_at_us INTEGER NOT NULL\n"
    ") STRICT;\n"
    "\n"
    "CREATE TABLE a (x INTEGER NOT NULL) STRICT;\n"
    "-- a trailing comment\n";
constexpr const char* kChecksumsSql =
    "ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NOT NULL DEFAULT '';\n";
constexpr const char* kMoreSql = "CREATE TABLE b (y INTEGER NOT NULL) STRICT";

const Migration kInit{1, "0001_init", kInitSql};
const Migration kChecksums{2, "0002_checksums", kChecksumsSql};
const Migration kMore{3, "0003_more", kMoreSql};

class MigrationChecksumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_OK_AND_ASSIGN(conn_, sql::OpenSqliteConnection(DbPath(), SqliteOptions{}));
  }

  std::string DbPath() const { return dir_.path() + "/loyalty.db"; }

  std::unique_ptr<SqliteStore> OpenStore() {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(DbPath());
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    return std::move(store).value();
  }

  // The first column of every row of `text`.
  std::vector<std::string> Query(const std::string& text) {
    std::vector<std::string> rows;
    Result<sql::Stmt> stmt = conn_->PrepareText("test query", text);
    EXPECT_OK(stmt);
    if (!stmt.ok()) return rows;
    while (true) {
      Result<bool> has_row = (*stmt)->Step();
      EXPECT_OK(has_row);
      if (!has_row.ok() || !*has_row) break;
      rows.push_back((*stmt)->Text(0));
    }
    return rows;
  }

  void Exec(const std::string& text) {
    Result<sql::Stmt> stmt = conn_->PrepareText("test statement", text);
    ASSERT_OK(stmt);
    ASSERT_OK((*stmt)->Execute());
  }

  // schema_migrations as "version|name|checksum" rows.
  std::vector<std::string> Recorded() {
    return Query(
        "SELECT version || '|' || name || '|' || checksum FROM schema_migrations ORDER BY version");
  }

  static std::vector<std::string> Expected(const std::vector<Migration>& migrations) {
    std::vector<std::string> rows;
    for (const Migration& m : migrations) {
      rows.push_back(std::to_string(m.version) + "|" + m.name + "|" +
                     sql::MigrationChecksum(m.sql));
    }
    return rows;
  }

  TempDir dir_;
  std::unique_ptr<sql::Connection> conn_;
};

TEST(MigrationChecksum, IsFnv1a64InHex) {
  EXPECT_EQ(sql::MigrationChecksum(""), "cbf29ce484222325");
  EXPECT_EQ(sql::MigrationChecksum("a"), "af63dc4c8601ec8c");
  EXPECT_NE(sql::MigrationChecksum(kInitSql), sql::MigrationChecksum(kMoreSql));
}

// --- the real migrations, through SqliteStore ---

TEST_F(MigrationChecksumTest, FreshDatabaseGetsAChecksumForEveryMigration) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(int applied, store->Migrate());
  EXPECT_EQ(applied, static_cast<int>(kSqliteMigrations.size()));
  EXPECT_EQ(Recorded(), Expected(kSqliteMigrations));
  for (const std::string& checksum : Query("SELECT checksum FROM schema_migrations")) {
    EXPECT_EQ(checksum.size(), 16u) << checksum;
  }
  EXPECT_OK(store->CheckSchema());
  ASSERT_OK_AND_ASSIGN(int again, store->Migrate());
  EXPECT_EQ(again, 0);
}

TEST_F(MigrationChecksumTest, StoreRefusesAMigrationChangedAfterItWasApplied) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  // As if the file of the third migration had been edited since this database applied it.
  const Migration& third = kSqliteMigrations.at(2);
  Exec("UPDATE schema_migrations SET checksum = '0123456789abcdef' WHERE version = " +
       std::to_string(third.version));
  const std::string expected =
      "migration " + std::string(third.name) + " changed after it was applied";

  const Status check = store->CheckSchema();
  EXPECT_EQ(check.code(), Code::kUnavailable) << check.ToString();
  EXPECT_NE(check.message().find(expected), std::string::npos) << check.message();
  const Status migrate = store->Migrate().status();
  EXPECT_EQ(migrate.code(), Code::kUnavailable) << migrate.ToString();
  EXPECT_NE(migrate.message().find(expected), std::string::npos) << migrate.message();
}

TEST_F(MigrationChecksumTest, StoreBackfillsRowsWithAnEmptyChecksum) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  Exec("UPDATE schema_migrations SET checksum = ''");
  EXPECT_OK(store->CheckSchema());  // nothing to compare with: not a refusal
  ASSERT_OK_AND_ASSIGN(int applied, store->Migrate());
  EXPECT_EQ(applied, 0);
  EXPECT_EQ(Recorded(), Expected(kSqliteMigrations));
}

// A database migrated by a binary from before the checksum column (migrations up to 0004).
TEST_F(MigrationChecksumTest, StoreUpgradesADatabaseFromBeforeChecksums) {
  std::vector<Migration> old_binary;
  for (const Migration& m : kSqliteMigrations) {
    if (m.version < 5) old_binary.push_back(m);
  }
  ASSERT_LT(old_binary.size(), kSqliteMigrations.size());
  ASSERT_OK_AND_ASSIGN(int old_applied, sql::ApplyMigrations(*conn_, old_binary, kNow));
  EXPECT_EQ(old_applied, static_cast<int>(old_binary.size()));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM pragma_table_info('schema_migrations')"
                  " WHERE name = 'checksum'"),
            std::vector<std::string>{"0"});

  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Status before = store->CheckSchema();
  EXPECT_EQ(before.code(), Code::kUnavailable);
  EXPECT_NE(before.message().find("run `loyalty migrate`"), std::string::npos) << before.message();
  ASSERT_OK_AND_ASSIGN(int applied, store->Migrate());
  EXPECT_EQ(applied, static_cast<int>(kSqliteMigrations.size() - old_binary.size()));
  EXPECT_EQ(Recorded(), Expected(kSqliteMigrations));
  EXPECT_OK(store->CheckSchema());
}

TEST_F(MigrationChecksumTest, ConcurrentMigratesApplyEachMigrationOnce) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  Result<int> first = Status(Code::kInternal, "not run");
  Result<int> second = Status(Code::kInternal, "not run");
  std::thread other([&] { second = store->Migrate(); });
  first = store->Migrate();
  other.join();
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(*first + *second, static_cast<int>(kSqliteMigrations.size()));
  EXPECT_EQ(Recorded(), Expected(kSqliteMigrations));
}

// --- made-up migrations, through the runner ---

TEST_F(MigrationChecksumTest, RunnerRecordsChecksumsFromTheColumnOn) {
  // Before the column exists the rows are recorded without one, and get it once it does.
  ASSERT_OK_AND_ASSIGN(int first, sql::ApplyMigrations(*conn_, {kInit}, kNow));
  EXPECT_EQ(first, 1);
  EXPECT_EQ(Query("SELECT version || '|' || name FROM schema_migrations"),
            std::vector<std::string>{"1|0001_init"});
  EXPECT_OK(sql::CheckMigrations(*conn_, {kInit}));

  ASSERT_OK_AND_ASSIGN(int rest, sql::ApplyMigrations(*conn_, {kInit, kChecksums, kMore}, kNow));
  EXPECT_EQ(rest, 2);
  EXPECT_EQ(Recorded(), Expected({kInit, kChecksums, kMore}));
  EXPECT_OK(sql::CheckMigrations(*conn_, {kInit, kChecksums, kMore}));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM b"), std::vector<std::string>{"0"});
}

TEST_F(MigrationChecksumTest, RunnerRefusesAChangedFileNamingIt) {
  ASSERT_OK(sql::ApplyMigrations(*conn_, {kInit, kChecksums}, kNow));
  const std::string edited = std::string(kInitSql) + "CREATE TABLE a2 (x INTEGER) STRICT;\n";
  const Migration changed{1, "0001_init", edited.c_str()};
  const std::string expected = "migration 0001_init changed after it was applied";

  const Status check = sql::CheckMigrations(*conn_, {changed, kChecksums});
  EXPECT_EQ(check.code(), Code::kUnavailable);
  EXPECT_NE(check.message().find(expected), std::string::npos) << check.message();

  // Refused before anything is applied: 0003 stays out.
  const Status migrate = sql::ApplyMigrations(*conn_, {changed, kChecksums, kMore}, kNow).status();
  EXPECT_EQ(migrate.code(), Code::kUnavailable);
  EXPECT_NE(migrate.message().find(expected), std::string::npos) << migrate.message();
  EXPECT_EQ(Recorded(), Expected({kInit, kChecksums}));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('a2', 'b')"),
            std::vector<std::string>{"0"});
}

TEST_F(MigrationChecksumTest, RunnerRefusesANewerDatabase) {
  ASSERT_OK(sql::ApplyMigrations(*conn_, {kInit, kChecksums, kMore}, kNow));
  const Status check = sql::CheckMigrations(*conn_, {kInit, kChecksums});
  EXPECT_EQ(check.code(), Code::kUnavailable);
  EXPECT_NE(check.message().find("newer than this binary"), std::string::npos) << check.message();
  EXPECT_CODE(sql::ApplyMigrations(*conn_, {kInit, kChecksums}, kNow), Code::kUnavailable);
}

TEST_F(MigrationChecksumTest, RunnerRefusesAVersionItDoesNotKnow) {
  ASSERT_OK(sql::ApplyMigrations(*conn_, {kInit, kChecksums, kMore}, kNow));
  const Migration fourth{4, "0004_other", "CREATE TABLE c (z INTEGER) STRICT"};
  const Status check = sql::CheckMigrations(*conn_, {kInit, kChecksums, fourth});
  EXPECT_EQ(check.code(), Code::kUnavailable);
  EXPECT_NE(check.message().find("0003_more"), std::string::npos) << check.message();
  EXPECT_CODE(sql::ApplyMigrations(*conn_, {kInit, kChecksums, fourth}, kNow), Code::kUnavailable);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'"),
            std::vector<std::string>{"0"});
}

TEST_F(MigrationChecksumTest, FailedMigrationLeavesNothingAndIsNamed) {
  const Migration bad{3, "0003_bad", "CREATE TABLE c (z INTEGER) STRICT;\nTHIS IS NOT SQL"};
  const Status status = sql::ApplyMigrations(*conn_, {kInit, kChecksums, bad}, kNow).status();
  EXPECT_EQ(status.code(), Code::kInternal);
  EXPECT_EQ(status.message().rfind("migration 0003_bad: statement 2 of 2: ", 0), 0u)
      << status.message();
  // Each migration commits with its row: the first two stay, nothing of the third does.
  EXPECT_EQ(Recorded(), Expected({kInit, kChecksums}));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(conn_->tx(), sql::TxKind::kNone);
}

}  // namespace
}  // namespace loyalty::testing
