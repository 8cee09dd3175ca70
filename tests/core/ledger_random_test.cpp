// Seeded randomized test: thousands of earn / confirm / redeem / refund / cancel / adjust /
// expire / activate steps over a few customers, with the ledger invariants checked after every
// step. The seed is printed on failure; rerun one with LOYALTY_SEED=<seed>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::LedgerFixture;

constexpr Micros kHour = 3'600'000'000;

struct RandomCase {
  ClawbackPolicy policy;
  PendingMode mode;
  bool negative_adjustments;
};

void PrintTo(const RandomCase& c, std::ostream* os) {
  *os << ClawbackPolicyName(c.policy) << "/" << PendingModeName(c.mode)
      << (c.negative_adjustments ? "/negative_adjustments" : "");
}

class LedgerRandomTest : public LedgerFixture, public ::testing::WithParamInterface<RandomCase> {
 protected:
  uint64_t Seed() const {
    const char* env = std::getenv("LOYALTY_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 10)
                          : 20261125 + static_cast<uint64_t>(GetParam().policy) * 1000 +
                                static_cast<uint64_t>(GetParam().mode) * 10;
  }
};

TEST_P(LedgerRandomTest, InvariantsHoldAfterEveryStep) {
  const uint64_t seed = Seed();
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun with LOYALTY_SEED=" + std::to_string(seed) + ")");
  std::mt19937_64 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  program_.clawback_policy = GetParam().policy;
  program_.pending_mode = GetParam().mode;
  program_.pending_days = 7;
  program_.allow_negative_adjustments = GetParam().negative_adjustments;
  program_.expiry_months = 1;  // short, so that expiry really happens within the run
  program_.truncation_unit_points = 10;

  const int kCustomers = 4;
  for (int i = 0; i < kCustomers; ++i) MakeCustomer("c" + std::to_string(i));
  std::vector<std::string> orders;
  int next_id = 0;
  int ok_steps = 0;
  const int kSteps = 1500;
  for (int step = 0; step < kSteps; ++step) {
    const std::string cust = "c" + std::to_string(pick(0, kCustomers - 1));
    const std::string id = std::to_string(++next_id);
    const int64_t op = pick(0, 99);
    bool ok = true;
    if (op < 30) {
      Points avail = std::max<Points>(0, Get(cust).available_points);
      Won amount = pick(1, 200000);
      Points redeem = pick(0, 2) == 0 ? 0 : pick(0, avail + 50);
      auto r = Order("o" + id, cust, amount, redeem);
      ok = r.ok();
      if (ok) orders.push_back("o" + id);
    } else if (op < 45 && !orders.empty()) {
      ok = Confirm(orders[pick(0, orders.size() - 1)]).ok();
    } else if (op < 65 && !orders.empty()) {
      const std::string o = orders[pick(0, orders.size() - 1)];
      auto found = session_->FindOrder(o).value();
      Won left = found->amount_won - found->refunded_won;
      ok = RefundOf(o, "r" + id, left > 0 ? pick(1, left) : 1).ok();
    } else if (op < 72 && !orders.empty()) {
      ok = RefundOf(orders[pick(0, orders.size() - 1)], "x" + id, 0, true).ok();
    } else if (op < 85) {
      ok = Adjust("a" + id, cust, pick(0, 1) ? pick(1, 5000) : -pick(1, 3000)).ok();
    } else if (op < 92) {
      now_us_ += pick(1, 24 * 5) * kHour;
    } else if (op < 96) {
      ok = Tx([&](Session& s) { return ExpireDueLots(s, cust, Now()); }).ok();
    } else if (!orders.empty()) {
      ok = Tx([&](Session& s) {
             return ActivateIfMatured(s, orders[pick(0, orders.size() - 1)], Now());
           }).ok();
    }
    ok_steps += ok;
    CheckReport report;
    ASSERT_TRUE(CheckCustomer(*session_, Get(cust), program_, report).ok());
    ASSERT_TRUE(report.problems.empty()) << "step " << step << ": " << report.problems[0];
  }
  EXPECT_EQ(CheckAll(), "");
  EXPECT_GT(ok_steps, kSteps / 2);  // the run did real work, not only rejected steps

  // Per order: never more restored than redeemed nor asked back than earned; what was asked
  // back is what was removed, deducted in cash or short; the order's figures are the sums of its
  // refunds'; a cancelled order has settled exactly everything.
  for (const std::string& o : orders) {
    {
      auto found = session_->FindOrder(o).value();
      ASSERT_TRUE(found.has_value());
      const Points restored_all = found->restored_points + found->restored_expired_points;
      EXPECT_LE(restored_all, found->points_redeemed) << o;
      EXPECT_LE(found->clawback_requested_points, found->earn_points) << o;
      EXPECT_LE(found->earn_clawed_points, found->clawback_requested_points) << o;
      auto refunds = session_->ListRefunds(o).value();
      Refund sum;
      for (const Refund& r : refunds) {
        EXPECT_EQ(r.clawed_points + r.deduction_won + r.shortfall_points,
                  r.clawback_requested_points)
            << o << "/" << r.refund_id;
        sum.clawback_requested_points += r.clawback_requested_points;
        sum.clawed_points += r.clawed_points;
        sum.shortfall_points += r.shortfall_points;
        sum.restored_points += r.restored_points;
        sum.restored_expired_points += r.restored_expired_points;
      }
      EXPECT_EQ(sum.clawback_requested_points, found->clawback_requested_points) << o;
      EXPECT_EQ(sum.clawed_points, found->earn_clawed_points) << o;
      EXPECT_EQ(sum.shortfall_points, found->shortfall_points) << o;
      EXPECT_EQ(sum.restored_points, found->restored_points) << o;
      EXPECT_EQ(sum.restored_expired_points, found->restored_expired_points) << o;
      if (found->status == OrderStatus::kCancelled) {
        EXPECT_EQ(restored_all, found->points_redeemed) << o;
        EXPECT_EQ(found->clawback_requested_points, found->earn_points) << o;
        EXPECT_EQ(found->qualifying_won, 0) << o;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, LedgerRandomTest,
    ::testing::Values(
        RandomCase{ClawbackPolicy::kTakeAvailable, PendingMode::kConfirmationOrDays, false},
        RandomCase{ClawbackPolicy::kAllowNegative, PendingMode::kUntilConfirmation, true},
        RandomCase{ClawbackPolicy::kDeductFromRefund, PendingMode::kDays, false},
        RandomCase{ClawbackPolicy::kTakeAvailable, PendingMode::kImmediate, true}));

}  // namespace
}  // namespace loyalty
