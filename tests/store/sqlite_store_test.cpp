// SqliteStore behaviour beyond the conformance suite: the file, the schema version, locking,
// foreign keys and query plans.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "store/migration.h"
#include "store/sql/statements.h"
#include "store/sqlite/sqlite_driver.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

// A plain connection to look at the file behind the store's back. Fails the test on errors.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    // The store's connections define CRC32(); statements using it must prepare here too.
    EXPECT_EQ(sql::RegisterCrc32Function(db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Every row of `sql`, each row's columns joined by '|'.
  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i > 0) row += "|";
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row += text != nullptr ? reinterpret_cast<const char*>(text) : "<null>";
      }
      rows.push_back(row);
    }
    sqlite3_finalize(stmt);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

int NeededVersion() { return kSqliteMigrations.back().version; }

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  std::string DbPath() const { return dir_.path() + "/loyalty.db"; }

  // Opens, migrates and returns the store.
  std::unique_ptr<SqliteStore> OpenMigrated(SqliteOptions opts = {}) {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(DbPath(), opts);
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    EXPECT_OK(store.value()->Migrate());
    return std::move(store).value();
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, DescribeNamesTheFile) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(DbPath()));
  EXPECT_EQ(store->Describe(), "sqlite:" + DbPath());
}

TEST_F(SqliteStoreTest, OpenRefusesAnInMemoryOrUnnamedDatabase) {
  EXPECT_FALSE(SqliteStore::Open(":memory:").ok());
  EXPECT_FALSE(SqliteStore::Open("").ok());
}

TEST_F(SqliteStoreTest, OpenFailsWithUnavailableWhenTheDirectoryIsMissing) {
  EXPECT_CODE(SqliteStore::Open(dir_.path() + "/missing/loyalty.db"), Code::kUnavailable);
}

TEST_F(SqliteStoreTest, DatabaseFileIsInWalMode) {
  ASSERT_OK(SqliteStore::Open(DbPath()));
  RawDb raw(DbPath());
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST_F(SqliteStoreTest, CheckSchemaTellsToMigrate) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(DbPath()));
  const Status status = store->CheckSchema();
  EXPECT_EQ(status.code(), Code::kUnavailable);
  EXPECT_EQ(status.message(), "database schema is at version 0, this binary needs " +
                                  std::to_string(NeededVersion()) + ": run `loyalty migrate`");
}

TEST_F(SqliteStoreTest, MigrateRecordsEveryMigration) {
  std::unique_ptr<SqliteStore> store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> expected;
  for (const Migration& m : kSqliteMigrations) {
    expected.push_back(std::to_string(m.version) + "|" + m.name);
  }
  RawDb raw(DbPath());
  EXPECT_EQ(raw.Query("SELECT version, name FROM schema_migrations ORDER BY version"), expected);
}

TEST_F(SqliteStoreTest, NewerDatabaseIsRefused) {
  std::unique_ptr<SqliteStore> store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(DbPath());
    raw.Query(
        "INSERT INTO schema_migrations (version, name, applied_at_us)"
        " VALUES (9999, '9999_future', 0)");
  }
  const Status status = store->CheckSchema();
  EXPECT_EQ(status.code(), Code::kUnavailable);
  EXPECT_NE(status.message().find("newer than this binary"), std::string::npos) << status.message();
  EXPECT_CODE(store->Migrate(), Code::kUnavailable);
}

TEST_F(SqliteStoreTest, SessionOpenedBeforeMigrateWorksAfterIt) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(DbPath()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> session, store->OpenSession());
  EXPECT_CODE(session->FindCustomer("c-1"), Code::kInternal);  // no such table yet
  ASSERT_OK(store->Migrate());
  ASSERT_OK(session->InsertCustomer(SampleCustomer("c-1")));
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session->FindCustomer("c-1"));
  EXPECT_TRUE(found.has_value());
}

TEST_F(SqliteStoreTest, SecondWriterGetsUnavailableAfterTheBusyTimeout) {
  SqliteOptions opts;
  opts.busy_timeout_ms = 50;
  std::unique_ptr<SqliteStore> store = OpenMigrated(opts);
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> first, store->OpenSession());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> second, store->OpenSession());

  ASSERT_OK(first->Begin());
  const Status busy = second->Begin();
  EXPECT_EQ(busy.code(), Code::kUnavailable) << busy.ToString();
  EXPECT_NE(busy.message().find("database is busy"), std::string::npos) << busy.message();

  ASSERT_OK(second->BeginRead());  // readers are not blocked by the writer
  ASSERT_OK(second->FindCustomer("c-1"));
  second->EndRead();
  ASSERT_OK(store->OpenSession());  // nor is opening a connection

  ASSERT_OK(first->Commit());
  ASSERT_OK(second->Begin());  // the lock is free again
  ASSERT_OK(second->Commit());
}

TEST_F(SqliteStoreTest, ForeignKeysAreEnforced) {
  std::unique_ptr<SqliteStore> store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> session, store->OpenSession());
  EXPECT_CODE(session->InsertLot(SampleLot("nobody", LotKind::kAvailable, 10, 0)), Code::kInternal);
  EXPECT_CODE(session->InsertOrder(SampleOrder("order-1", "nobody")), Code::kInternal);
  EXPECT_CODE(session->AppendEvent(SampleEvent("nobody", 1)), Code::kInternal);
}

TEST_F(SqliteStoreTest, InsertEntryIsAllOrNothing) {
  std::unique_ptr<SqliteStore> store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> session, store->OpenSession());
  ASSERT_OK(session->InsertCustomer(SampleCustomer("c-1")));
  ASSERT_OK_AND_ASSIGN(int64_t lot_id,
                       session->InsertLot(SampleLot("c-1", LotKind::kAvailable, 10, 0)));
  Entry bad = SampleEntry("c-1", "");
  bad.allocations = {{lot_id, -5}, {lot_id + 1000, -5}};  // the second lot does not exist

  EXPECT_CODE(session->InsertEntry(bad), Code::kInternal);  // outside a transaction
  ASSERT_OK(session->Begin());
  ASSERT_OK(session->InsertEntry(SampleEntry("c-1", "")));
  EXPECT_CODE(session->InsertEntry(bad), Code::kInternal);  // inside one
  ASSERT_OK(session->Commit());

  EntryQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, session->ListEntries(q));
  ASSERT_EQ(entries.size(), 1u);  // only the good one
  EXPECT_TRUE(entries[0].allocations.empty());
  RawDb raw(DbPath());
  EXPECT_EQ(raw.Query("SELECT count(*) FROM entry_allocations"), std::vector<std::string>{"0"});
}

// Every lookup by key or by customer is served by an index, never a scan of the whole table.
TEST_F(SqliteStoreTest, LookupsUseIndexes) {
  std::unique_ptr<SqliteStore> store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  RawDb raw(DbPath());
  for (const sql::NamedStmt& named : sql::AllStatements()) {
    // Whole tables by design: the API keys (small), and the daily job's passes over customers.
    const std::string name = named.name;
    if (name == "kListApiKeys" || name == "kCountCustomers" || name == "kRecomputeWindowSpend") {
      continue;
    }
    const char* text = sql::kSqliteDialect.Text(*named.def);
    for (const std::string& step : raw.Query(std::string("EXPLAIN QUERY PLAN ") + text)) {
      const bool full_scan =
          step.find("SCAN ") != std::string::npos && step.find("USING") == std::string::npos;
      EXPECT_FALSE(full_scan) << name << ": " << text << "\n  plan: " << step;
    }
  }
}

// The registry the test above walks holds every statement the headers define.
TEST(SqlStatementsTest, TheRegistryListsEveryStatement) {
  std::set<std::string> defined;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(LOYALTY_SOURCE_DIR) + "/store/sql")) {
    if (entry.path().filename().string().rfind("statements_", 0) != 0) continue;
    std::ifstream in(entry.path());
    const std::regex def(R"(inline constexpr StmtDef (k[A-Za-z0-9]+))");
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, m, def)) defined.insert(m[1]);
    }
  }
  std::set<std::string> listed;
  for (const sql::NamedStmt& named : sql::AllStatements()) listed.insert(named.name);
  EXPECT_EQ(listed, defined);
  EXPECT_GT(defined.size(), 50u);
}

}  // namespace
}  // namespace loyalty::testing
