// Shared fixtures for core tests: a real SQLite store in a fresh temp directory, a programme
// built in C++ (core tests do not link the JSON layer) and helpers to run commands in a
// committed transaction.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/business_time.h"
#include "core/ledger.h"
#include "core/program.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty::testing {

inline Program TestProgram() {
  Program p;
  p.version = 3;
  p.name = "test";
  auto tier = [](const char* code, Won threshold_won, int32_t rate_bp) {
    TierRule t;
    t.code = code;
    t.name = code;
    t.threshold_won = threshold_won;
    t.earn_rate_bp = rate_bp;
    return t;
  };
  p.tiers = {tier("BRONZE", 0, 100), tier("SILVER", 300000, 200), tier("GOLD", 1000000, 300),
             tier("VIP", 3000000, 500)};
  p.tiering.schedule = EvaluationSchedule::kDaily;
  p.truncation_unit_points = 1;
  p.pending_mode = PendingMode::kConfirmationOrDays;
  p.pending_days = 14;
  p.expiry_months = 12;
  p.expiry_rounding = ExpiryRounding::kEndOfDay;
  p.min_redeem_balance_points = 0;
  p.min_redeem_points = 1;
  p.max_redeem_share_bp = 10000;
  p.clawback_policy = ClawbackPolicy::kTakeAvailable;
  return p;
}

// Instant of a KST wall-clock time.
inline Micros Kst(int y, int m, int d, int hh = 0, int mm = 0) {
  return StartOfDay(LocalDate{y, m, d}, "Asia/Seoul") + (int64_t{hh} * 3600 + mm * 60) * 1'000'000;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "loyalty-test-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Where LedgerFixture keeps its data: a SQLite file in the test's directory, unless the test
// program installs another backend (tests/core/mysql_ledger_test.cpp runs the ledger tests on
// MySQL this way). `open` gets a path unique to the test.
struct LedgerBackend {
  std::function<Result<std::unique_ptr<Store>>(const std::string& test_path)> open;
  std::string skip_reason;  // non-empty: skip every ledger test with this message
};
inline std::optional<LedgerBackend>& LedgerBackendOverride() {
  static std::optional<LedgerBackend> backend;
  return backend;
}

// A migrated store, one write session and helpers running a command per transaction.
class LedgerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<LedgerBackend>& backend = LedgerBackendOverride();
    if (backend && !backend->skip_reason.empty()) GTEST_SKIP() << backend->skip_reason;
    auto st = backend ? backend->open(dir_.File("ledger")) : OpenSqlite(dir_.File("ledger.db"));
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(st).value();
    ASSERT_TRUE(store_->Migrate().ok());
    auto s = store_->OpenSession();
    ASSERT_TRUE(s.ok());
    session_ = std::move(s).value();
  }

  static Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path) {
    auto st = SqliteStore::Open(path);
    if (!st.ok()) return st.status();
    return std::unique_ptr<Store>(std::move(st).value());
  }

  Ctx At(Micros now_us) const { return Ctx{program_, now_us, Actor{"tester", "admin"}, random_}; }
  Ctx Now() const { return At(now_us_); }

  // Runs fn in one transaction; commits when it succeeds, rolls back otherwise.
  template <typename Fn>
  auto Tx(Fn fn) -> decltype(fn(std::declval<Session&>())) {
    EXPECT_TRUE(session_->Begin().ok());
    auto r = fn(*session_);
    if (r.ok()) {
      EXPECT_TRUE(session_->Commit().ok());
    } else {
      session_->Rollback();
    }
    return r;
  }

  Customer MakeCustomer(const std::string& id) {
    CustomerInput in;
    in.customer_id = id;
    auto r = Tx([&](Session& s) { return UpsertCustomer(s, in, Now()); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.value().customer;
  }

  Result<OrderWrite> Order(const std::string& order_id, const std::string& customer_id,
                           Won amount_won, Points redeem = 0) {
    OrderRequest r;
    r.order_id = order_id;
    r.customer_id = customer_id;
    r.amount_won = amount_won;
    r.points_to_redeem = redeem;
    r.request_hash = order_id + std::to_string(amount_won) + "/" + std::to_string(redeem);
    return Tx([&](Session& s) { return CreateOrder(s, r, Now()); });
  }
  Result<OrderWrite> Confirm(const std::string& order_id) {
    return Tx([&](Session& s) { return ConfirmOrder(s, order_id, Now()); });
  }
  Result<RefundWrite> RefundOf(const std::string& order_id, const std::string& refund_id,
                               Won amount_won, bool cancel = false) {
    RefundRequest r;
    r.order_id = order_id;
    r.refund_id = refund_id;
    r.amount_won = amount_won;
    r.cancel = cancel;
    r.request_hash = refund_id + std::to_string(amount_won) + (cancel ? "c" : "");
    return Tx([&](Session& s) { return RefundOrder(s, r, Now()); });
  }
  Result<AdjustWrite> Adjust(const std::string& adjustment_id, const std::string& customer_id,
                             Points points) {
    AdjustRequest r;
    r.adjustment_id = adjustment_id;
    r.customer_id = customer_id;
    r.points = points;
    r.reason_code = "goodwill";
    r.request_hash = adjustment_id + std::to_string(points);
    return Tx([&](Session& s) { return AdjustPoints(s, r, Now()); });
  }
  Customer Get(const std::string& id) {
    auto c = session_->FindCustomer(id);
    EXPECT_TRUE(c.ok() && c->has_value());
    return c->value();
  }
  // Runs the invariant check over everything; returns the problems joined ("" = clean).
  std::string CheckAll() {
    auto r = CheckLedger(*session_, program_);
    if (!r.ok()) return r.status().ToString();
    std::string out;
    for (const auto& p : r->problems) out += p + "\n";
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Session> session_;
  Program program_ = TestProgram();
  Micros now_us_ = Kst(2026, 3, 10, 12, 0);
  RandomSource* random_ = nullptr;  // coupon codes (coupon tests set one)
};

}  // namespace loyalty::testing
