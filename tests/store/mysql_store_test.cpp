// MySQL-specific behaviour beyond the conformance suite: URL parsing, row locks, the error
// mapping of deadlocks, lock timeouts and lost connections, reconnecting, concurrent migrations.
// The server tests need $LOYALTY_TEST_MYSQL_URL (skipped with a message otherwise).
#include "store/mysql/mysql_store.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include "store/migration.h"
#include "store/mysql/mysql_connection.h"
#include "tests/store/mysql_test_backend.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

// --- URL parsing (no server needed) ---

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(MysqlUrlTest, ParsesEveryPart) {
  ASSERT_OK_AND_ASSIGN(MysqlConfig c,
                       ParseMysqlUrl("mysql://app:s3cr%40t@db.internal:3307/loyalty_prod"
                                     "?max_sessions=20&lock_wait_timeout_s=3"));
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.password, "s3cr@t");
  EXPECT_EQ(c.host, "db.internal");
  EXPECT_EQ(c.port, 3307);
  EXPECT_EQ(c.database, "loyalty_prod");
  EXPECT_EQ(c.max_sessions, 20);
  EXPECT_EQ(c.lock_wait_timeout_s, 3);
  EXPECT_EQ(DescribeMysql(c), "mysql://app@db.internal:3307/loyalty_prod");
}

TEST(MysqlUrlTest, PortDefaultsTo3306AndPasswordComesFromTheEnvironment) {
  ScopedEnv password("LOYALTY_DB_PASSWORD", "from-env");
  ASSERT_OK_AND_ASSIGN(MysqlConfig c, ParseMysqlUrl("mysql://app@localhost/shop"));
  EXPECT_EQ(c.port, 3306);
  EXPECT_EQ(c.password, "from-env");
}

TEST(MysqlUrlTest, PasswordComesFromAFileWhenNoVariableHoldsIt) {
  TempDir dir;
  const std::string file = dir.path() + "/password";
  std::ofstream(file) << "from-file\n";
  ScopedEnv empty("LOYALTY_DB_PASSWORD", "");
  ScopedEnv path("LOYALTY_DB_PASSWORD_FILE", file);
  ASSERT_OK_AND_ASSIGN(MysqlConfig c, ParseMysqlUrl("mysql://app@localhost:3306/shop"));
  EXPECT_EQ(c.password, "from-file");
}

TEST(MysqlUrlTest, MalformedUrlsAreRejectedWithoutEchoingThePassword) {
  for (const char* url : {"mysql://app:hunter2@host:99999/db", "mysql://app:hunter2@host:3306/",
                          "mysql://app:hunter2@:3306/db", "mysql://:hunter2@host/db",
                          "postgres://a@b/c", "mysql://app:hunter2@host/db?max_sessions=0",
                          "mysql://app:hunter2@host/db?nope=1", "mysql://app:hunter2%zz@host/db"}) {
    Result<MysqlConfig> c = ParseMysqlUrl(url);
    EXPECT_CODE(c, Code::kValidationFailed);
    EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos) << c.status().message();
  }
}

TEST(MysqlUrlTest, OpeningAnUnreachableServerIsUnavailableAndHidesThePassword) {
  ASSERT_OK_AND_ASSIGN(MysqlConfig c, ParseMysqlUrl("mysql://app:hunter2@127.0.0.1:1/db"));
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<MysqlStore>> store = MysqlStore::Open(c);
  EXPECT_CODE(store, Code::kUnavailable);
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// --- against the server ---

class MysqlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestMysqlConfig()) GTEST_SKIP() << MysqlSkipReason();
    ASSERT_OK_AND_ASSIGN(store_, OpenMysqlTestStore(dir_.path()));
    ASSERT_OK(store_->Migrate());
    ASSERT_OK_AND_ASSIGN(a_, store_->OpenSession());
    ASSERT_OK_AND_ASSIGN(b_, store_->OpenSession());
    ASSERT_OK(a_->InsertCustomer(SampleCustomer("c-1")));
    ASSERT_OK(a_->InsertCustomer(SampleCustomer("c-2")));
  }

  // Kills every other connection of this test's database, as a server restart would.
  void KillOtherConnections() {
    MysqlConfig config = store_->config();
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<sql::Connection> admin, mysql::Connect(config));
    std::unique_ptr<sql::PreparedStatement> list(admin->prepareStatement(
        "SELECT id FROM information_schema.processlist WHERE db = DATABASE()"
        " AND id <> CONNECTION_ID()"));
    std::unique_ptr<sql::ResultSet> ids(list->executeQuery());
    std::unique_ptr<sql::PreparedStatement> kill(admin->prepareStatement("KILL CONNECTION ?"));
    int killed = 0;
    while (ids->next()) {
      mysql::Bind(*kill).Int(ids->getInt64(1)).Update();
      ++killed;
    }
    EXPECT_GT(killed, 0);
  }

  TempDir dir_;
  std::unique_ptr<MysqlStore> store_;
  std::unique_ptr<Session> a_;
  std::unique_ptr<Session> b_;
};

TEST_F(MysqlStoreTest, DescribeNeverShowsThePassword) {
  EXPECT_EQ(store_->Describe().find(store_->config().password), std::string::npos);
  EXPECT_EQ(store_->Describe().rfind("mysql://", 0), 0u);
}

TEST_F(MysqlStoreTest, FindCustomerInAWriteTransactionLocksTheRowUntilCommit) {
  ASSERT_OK(a_->Begin());
  ASSERT_OK(a_->FindCustomer("c-1"));
  // Another writer waits for the lock, then gives up with kRetry (the executor re-runs).
  ASSERT_OK(b_->Begin());
  EXPECT_CODE(b_->FindCustomer("c-1"), Code::kRetry);
  EXPECT_CODE(b_->FindCustomer("c-2"), Code::kRetry);  // the transaction is dead until rollback
  b_->Rollback();
  // Readers are never blocked.
  ASSERT_OK(b_->BeginRead());
  EXPECT_OK(b_->FindCustomer("c-1"));
  b_->EndRead();
  // Once the holder commits, the waiter gets the row with the holder's change.
  Customer changed = SampleCustomer("c-1");
  changed.available_points = 999;
  ASSERT_OK(a_->UpdateCustomer(changed));
  auto waiter = std::async(std::launch::async, [&]() -> Result<std::optional<Customer>> {
    Status begun = b_->Begin();
    if (!begun.ok()) return begun;
    auto found = b_->FindCustomer("c-1");
    b_->Rollback();
    return found;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it block on the lock
  ASSERT_OK(a_->Commit());
  Result<std::optional<Customer>> seen = waiter.get();
  ASSERT_OK(seen);
  ASSERT_TRUE(seen->has_value());
  EXPECT_EQ((*seen)->available_points, 999);
}

TEST_F(MysqlStoreTest, WritesReadCommittedDataEvenRightAfterAReadSnapshot) {
  // Inside a write transaction, plain reads see what other writers committed meanwhile (READ
  // COMMITTED), also on a session whose previous transaction was a read snapshot.
  ASSERT_OK(a_->BeginRead());
  a_->EndRead();
  ASSERT_OK(a_->Begin());
  LotQuery q;
  q.customer_id = "c-2";
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> before, a_->FindLots(q));
  EXPECT_TRUE(before.empty());
  ASSERT_OK(b_->InsertLot(SampleLot("c-2", LotKind::kAvailable, 10, 0)));  // committed
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> after, a_->FindLots(q));
  EXPECT_EQ(after.size(), 1u);
  ASSERT_OK(a_->Commit());
  // And the next read snapshot is one again.
  ASSERT_OK(a_->BeginRead());
  ASSERT_OK_AND_ASSIGN(before, a_->FindLots(q));
  ASSERT_OK(b_->InsertLot(SampleLot("c-2", LotKind::kAvailable, 10, 0)));
  ASSERT_OK_AND_ASSIGN(after, a_->FindLots(q));
  EXPECT_EQ(after.size(), before.size());
  a_->EndRead();
}

TEST_F(MysqlStoreTest, DeadlockIsRetryAndLeavesTheOtherTransactionUsable) {
  ASSERT_OK(a_->Begin());
  ASSERT_OK(b_->Begin());
  ASSERT_OK(a_->FindCustomer("c-1"));
  ASSERT_OK(b_->FindCustomer("c-2"));
  auto a_waits = std::async(std::launch::async, [&] { return a_->FindCustomer("c-2").status(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const Status b_status = b_->FindCustomer("c-1").status();  // closes the cycle
  const Status a_status = a_waits.get();
  // InnoDB picks one victim: it gets kRetry, the other proceeds.
  EXPECT_NE(a_status.ok(), b_status.ok()) << a_status.ToString() << " / " << b_status.ToString();
  Session& victim = a_status.ok() ? *b_ : *a_;
  Session& winner = a_status.ok() ? *a_ : *b_;
  EXPECT_CODE(a_status.ok() ? b_status : a_status, Code::kRetry);
  EXPECT_CODE(victim.Commit(), Code::kRetry);  // nothing of a dead transaction commits
  EXPECT_OK(winner.Commit());
  ASSERT_OK(victim.Begin());  // and the victim's session works again
  EXPECT_OK(victim.FindCustomer("c-1"));
  EXPECT_OK(victim.Commit());
}

TEST_F(MysqlStoreTest, SessionReconnectsByItselfAfterItsConnectionDied) {
  ASSERT_OK(a_->FindCustomer("c-1"));
  KillOtherConnections();
  // Idle when killed: the next transaction reconnects without the caller noticing.
  ASSERT_OK(a_->Begin());
  ASSERT_OK(a_->InsertCustomer(SampleCustomer("c-3")));
  ASSERT_OK(a_->Commit());
  // Killed inside a transaction: that transaction fails with kUnavailable and nothing of it stays.
  ASSERT_OK(a_->Begin());
  ASSERT_OK(a_->InsertCustomer(SampleCustomer("c-4")));
  KillOtherConnections();
  EXPECT_CODE(a_->InsertCustomer(SampleCustomer("c-5")), Code::kUnavailable);
  EXPECT_CODE(a_->Commit(), Code::kUnavailable);
  a_->Rollback();
  ASSERT_OK(a_->BeginRead());
  ASSERT_OK_AND_ASSIGN(std::vector<Customer> all, a_->ListCustomers("", 10));
  a_->EndRead();
  std::vector<std::string> ids;
  for (const Customer& c : all) ids.push_back(c.customer_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c-1", "c-2", "c-3"}));
}

TEST_F(MysqlStoreTest, InsertOfAKeyAnotherWriterAddedSinceTheLookupIsRetry) {
  // Both writers look the new customer up (missing), one inserts and commits while the other's
  // insert waits on it: the loser gets kRetry (its batch re-runs and finds the row), not
  // kAlreadyExists, which a single writer would never have produced.
  ASSERT_OK(a_->Begin());
  ASSERT_OK(b_->Begin());
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> seen_a, a_->FindCustomer("c-new"));
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> seen_b, b_->FindCustomer("c-new"));
  EXPECT_FALSE(seen_a.has_value() || seen_b.has_value());
  ASSERT_OK(b_->InsertCustomer(SampleCustomer("c-new")));
  auto loser =
      std::async(std::launch::async, [&] { return a_->InsertCustomer(SampleCustomer("c-new")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it wait on b's insert
  ASSERT_OK(b_->Commit());
  EXPECT_CODE(loser.get(), Code::kRetry);
  a_->Rollback();
  // The re-run sees the row; inserting it regardless is a plain duplicate.
  ASSERT_OK(a_->Begin());
  ASSERT_OK_AND_ASSIGN(seen_a, a_->FindCustomer("c-new"));
  EXPECT_TRUE(seen_a.has_value());
  EXPECT_CODE(a_->InsertCustomer(SampleCustomer("c-new")), Code::kAlreadyExists);
  a_->Rollback();
}

TEST_F(MysqlStoreTest, ACouponDedupeKeyAnotherWriterIssuedSinceTheLookupIsRetry) {
  // Two nodes issuing the same rule-based coupon: the loser's re-run finds the coupon and issues
  // nothing. A duplicate code (not looked up) stays kAlreadyExists: the caller draws another.
  auto coupon = [](const std::string& code) {
    Coupon c;
    c.code = code;
    c.template_code = "BDAY";
    c.customer_id = "c-1";
    c.valid_until_us = 10;
    c.dedupe_key = "birthday:c-1:2026";
    return c;
  };
  ASSERT_OK(a_->Begin());
  ASSERT_OK(b_->Begin());
  ASSERT_OK_AND_ASSIGN(std::optional<Coupon> seen_a,
                       a_->FindCouponByDedupeKey("birthday:c-1:2026"));
  ASSERT_OK_AND_ASSIGN(std::optional<Coupon> seen_b,
                       b_->FindCouponByDedupeKey("birthday:c-1:2026"));
  EXPECT_FALSE(seen_a.has_value() || seen_b.has_value());
  ASSERT_OK(b_->InsertCoupon(coupon("B-1")));
  auto loser = std::async(std::launch::async, [&] { return a_->InsertCoupon(coupon("A-1")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it wait on b's insert
  ASSERT_OK(b_->Commit());
  EXPECT_CODE(loser.get(), Code::kRetry);
  a_->Rollback();
  ASSERT_OK(a_->Begin());
  ASSERT_OK_AND_ASSIGN(seen_a, a_->FindCouponByDedupeKey("birthday:c-1:2026"));
  ASSERT_TRUE(seen_a.has_value());
  EXPECT_EQ(seen_a->code, "B-1");
  Coupon same_code = coupon("B-1");
  same_code.dedupe_key.clear();
  EXPECT_CODE(a_->InsertCoupon(same_code), Code::kAlreadyExists);
  a_->Rollback();
}

TEST_F(MysqlStoreTest, ForeignKeysAreEnforced) {
  EXPECT_CODE(a_->InsertLot(SampleLot("nobody", LotKind::kAvailable, 1, 0)), Code::kInternal);
  Entry e = SampleEntry("c-1", "");
  e.allocations = {{424242, -1}};
  EXPECT_CODE(a_->InsertEntry(e), Code::kInternal);
  EntryQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, a_->ListEntries(q));
  EXPECT_TRUE(entries.empty()) << "an entry without its allocations was kept";
}

TEST_F(MysqlStoreTest, EntryWithManyAllocationsRoundTrips) {
  std::vector<Allocation> allocations;
  for (int i = 0; i < 37; ++i) {  // more than one multi-row insert
    ASSERT_OK_AND_ASSIGN(int64_t lot, a_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 5, 0)));
    allocations.push_back({lot, -1 - i});
  }
  Entry e = SampleEntry("c-1", "order-9");
  e.allocations = allocations;
  ASSERT_OK_AND_ASSIGN(e.entry_id, a_->InsertEntry(e));
  EntryQuery q;
  q.order_id = "order-9";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, a_->ListEntries(q));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(Render(entries[0]), Render(e));
}

TEST_F(MysqlStoreTest, SessionsBeyondTheLimitAreUnavailable) {
  MysqlConfig config = store_->config();
  config.max_sessions = 2;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MysqlStore> small, MysqlStore::Open(config));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> one, small->OpenSession());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> two, small->OpenSession());
  EXPECT_CODE(small->OpenSession(), Code::kUnavailable);
  two.reset();
  EXPECT_OK(small->OpenSession());
}

TEST_F(MysqlStoreTest, NodesMigratingTogetherApplyEachMigrationOnce) {
  TempDir other;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MysqlStore> fresh, OpenMysqlTestStore(other.path()));
  std::vector<std::future<Result<int>>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&] { return fresh->Migrate(); }));
  }
  int applied = 0;
  for (auto& r : runs) {
    Result<int> n = r.get();
    ASSERT_OK(n);
    applied += *n;
  }
  EXPECT_EQ(applied, static_cast<int>(kMysqlMigrations.size()));  // each applied by one node
  EXPECT_OK(fresh->CheckSchema());
}

}  // namespace
}  // namespace loyalty::testing
