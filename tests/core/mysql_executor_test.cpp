// Two "nodes" on one MySQL database, in one process: two CommandExecutors with four writer
// sessions each drive orders with redemptions, confirmations and refunds for the same few
// customers from many threads. Row locks (not a process) must keep the ledger exact: no lost
// update, no double redemption, every acknowledged write present exactly once, invariants clean.
// Needs $LOYALTY_TEST_MYSQL_URL (skipped with a message otherwise). Seeded; the seed is printed.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/executor.h"
#include "tests/core/test_util.h"
#include "tests/store/mysql_test_backend.h"

namespace loyalty::testing {
namespace {

const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}
#define ASSERT_OK(expr)                                               \
  do {                                                                \
    const Status _status = StatusOf(expr);                            \
    ASSERT_TRUE(_status.ok()) << #expr << ": " << _status.ToString(); \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(LOYALTY_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                    \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

constexpr int kCustomers = 4;
constexpr Points kGrantPoints = 20'000;

struct Acked {
  std::string order_id;
  std::string customer_id;
  Points redeemed = 0;
};

class MysqlTwoExecutorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestMysqlConfig()) GTEST_SKIP() << MysqlSkipReason();
    ASSERT_OK_AND_ASSIGN(store_, OpenMysqlTestStore(dir_.File("db")));
    ASSERT_OK(store_->Migrate());
    program_.pending_mode = PendingMode::kUntilConfirmation;
  }

  std::unique_ptr<CommandExecutor> NewExecutor() {
    std::vector<std::unique_ptr<Session>> writers;
    for (int i = 0; i < 4; ++i) {
      auto s = store_->OpenSession();
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      writers.push_back(std::move(s).value());
    }
    ExecutorOptions opts;
    opts.max_batch = 32;
    opts.max_retries = 20;
    return std::make_unique<CommandExecutor>(std::move(writers), opts);
  }

  Ctx At(Micros now_us) const { return Ctx{program_, now_us, Actor{"tester", "admin"}}; }

  TempDir dir_;
  std::unique_ptr<MysqlStore> store_;
  Program program_ = TestProgram();
};

TEST_F(MysqlTwoExecutorsTest, SameCustomersThroughBothNeverLoseAnUpdateNorRedeemTwice) {
  const char* env = std::getenv("LOYALTY_SEED");
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 20261125;
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun with LOYALTY_SEED=" + std::to_string(seed) + ")");
  const Micros now_us = Kst(2026, 3, 10, 12, 0);
  std::unique_ptr<CommandExecutor> nodes[2] = {NewExecutor(), NewExecutor()};
  for (int c = 0; c < kCustomers; ++c) {
    const std::string id = "c" + std::to_string(c);
    ASSERT_OK(nodes[0]->Submit([&, id](Session& s) {
      CustomerInput in;
      in.customer_id = id;
      return UpsertCustomer(s, in, At(now_us)).status();
    }));
    ASSERT_OK(nodes[1]->Submit([&, id](Session& s) {
      AdjustRequest r{"grant-" + id, id, kGrantPoints, "goodwill", "", "h-" + id};
      return AdjustPoints(s, r, At(now_us)).status();
    }));
  }

  std::mutex mu;
  std::vector<Acked> acked;
  std::map<std::string, Code> failures;  // order ids whose creation failed, and why
  std::atomic<int> confirms{0}, refunds{0}, unavailable{0};
  constexpr int kThreads = 8, kOpsPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + static_cast<uint64_t>(t));
      auto pick = [&](int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      };
      std::vector<std::string> mine;
      for (int op = 0; op < kOpsPerThread; ++op) {
        CommandExecutor& node = *nodes[(t + op) % 2];
        const int64_t kind = pick(0, 9);
        if (kind < 6 || mine.empty()) {
          OrderRequest r;
          r.order_id = "o-" + std::to_string(t) + "-" + std::to_string(op);
          r.customer_id = "c" + std::to_string(pick(0, kCustomers - 1));
          r.amount_won = pick(1'000, 50'000);
          r.points_to_redeem = pick(0, 1) ? pick(1, r.amount_won / 2) : 0;
          r.request_hash = r.order_id;
          Status st =
              node.Submit([&, r](Session& s) { return CreateOrder(s, r, At(now_us)).status(); });
          std::lock_guard<std::mutex> lock(mu);
          if (st.ok()) {
            acked.push_back({r.order_id, r.customer_id, r.points_to_redeem});
            mine.push_back(r.order_id);
          } else {
            failures[r.order_id] = st.code();
            if (st.code() == Code::kUnavailable) ++unavailable;
          }
        } else if (kind < 8) {
          const std::string o = mine[pick(0, mine.size() - 1)];
          Status st =
              node.Submit([&, o](Session& s) { return ConfirmOrder(s, o, At(now_us)).status(); });
          if (st.ok()) ++confirms;
        } else {
          const std::string o = mine[pick(0, mine.size() - 1)];
          RefundRequest r{o, "r-" + std::to_string(t) + "-" + std::to_string(op), pick(1, 3'000),
                          pick(0, 3) == 0, "h"};
          Status st =
              node.Submit([&, r](Session& s) { return RefundOrder(s, r, At(now_us)).status(); });
          if (st.ok()) ++refunds;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const int64_t retries = nodes[0]->Snapshot().retries + nodes[1]->Snapshot().retries;
  nodes[0].reset();
  nodes[1].reset();
  std::printf(
      "[ info     ] %zu orders acknowledged, %zu refused, %d confirms, %d refunds, "
      "%lld batch re-runs (deadlocks / lock waits), %d unavailable\n",
      acked.size(), failures.size(), confirms.load(), refunds.load(),
      static_cast<long long>(retries), unavailable.load());
  EXPECT_EQ(unavailable.load(), 0) << "retries were exhausted";
  EXPECT_GT(acked.size(), 100u);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> reader, store_->OpenSession());
  ASSERT_OK(reader->BeginRead());
  // Every acknowledged order is there once, with its redemption in the ledger exactly once.
  for (const Acked& a : acked) {
    ASSERT_OK_AND_ASSIGN(std::optional<Order> o, reader->FindOrder(a.order_id));
    ASSERT_TRUE(o.has_value()) << a.order_id;
    EXPECT_EQ(o->points_redeemed, a.redeemed) << a.order_id;
    EntryQuery q;
    q.order_id = a.order_id;
    ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, reader->ListEntries(q));
    Points redeemed = 0;
    int redeem_entries = 0;
    for (const Entry& e : entries) {
      if (e.kind != EntryKind::kRedeem) continue;
      ++redeem_entries;
      redeemed -= e.available_delta;
    }
    EXPECT_EQ(redeem_entries, a.redeemed > 0 ? 1 : 0) << a.order_id;
    EXPECT_EQ(redeemed, a.redeemed) << a.order_id;
  }
  // Orders were refused only for business reasons (not enough points), never because two
  // writers collided (a duplicate per-customer event seq would show as already_exists).
  for (const auto& [order_id, code] : failures) {
    EXPECT_TRUE(code == Code::kInsufficientPoints || code == Code::kRedeemLimitExceeded ||
                code == Code::kBelowMinimumBalance)
        << order_id << " failed with " << CodeName(code);
  }
  // A refused order left nothing behind.
  for (const auto& [order_id, code] : failures) {
    ASSERT_OK_AND_ASSIGN(std::optional<Order> o, reader->FindOrder(order_id));
    EXPECT_FALSE(o.has_value()) << order_id << " failed with " << CodeName(code);
  }
  // Balances = lots = entries for every customer, and nobody went below zero.
  ASSERT_OK_AND_ASSIGN(CheckReport report, CheckLedger(*reader, program_));
  EXPECT_EQ(report.customers, kCustomers);
  for (const std::string& p : report.problems) ADD_FAILURE() << p;
  for (int c = 0; c < kCustomers; ++c) {
    ASSERT_OK_AND_ASSIGN(std::optional<Customer> found,
                         reader->FindCustomer("c" + std::to_string(c)));
    ASSERT_TRUE(found.has_value());
    EXPECT_GE(found->available_points, 0);
  }
  reader->EndRead();
}

}  // namespace
}  // namespace loyalty::testing
