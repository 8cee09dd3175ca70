// The liability report against the ledger it reports on: a seeded random run of orders,
// confirmations, redemptions, partial refunds, cancels, adjustments, expiry and activation over
// seven months (some entries exactly on a month's first instant), then every month's report
// checked against figures this test computes itself by walking every customer's entries, against
// the customers' balances, and against the orders' and refunds' own figures. On both engines
// (tests/core/ledger_*.cpp). The seed is printed on failure; rerun one with LOYALTY_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>

#include "core/liability.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

constexpr Micros kHour = 3'600'000'000;

struct LiabilityCase {
  ClawbackPolicy policy;
  bool negative_adjustments;
};

void PrintTo(const LiabilityCase& c, std::ostream* os) {
  *os << ClawbackPolicyName(c.policy) << (c.negative_adjustments ? "/negative_adjustments" : "");
}

// What this test expects of one month, summed from the entries themselves.
struct Expected {
  int64_t entries = 0;
  Points earned = 0, activated_pending = 0, activated_available = 0, clawed_pending = 0;
  Points redeemed = 0, expired = 0, clawed_available = 0, restored = 0;
  Points adjusted_in = 0, adjusted_out = 0;
  Points opening_pending = 0, opening_available = 0, closing_pending = 0, closing_available = 0;
  Points expired_through = 0, used_through = 0;  // since the first entry, to the month's end
};

class LedgerLiabilityTest : public LedgerFixture,
                            public ::testing::WithParamInterface<LiabilityCase> {
 protected:
  uint64_t Seed() const {
    const char* env = std::getenv("LOYALTY_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 10)
                          : 20261101 + static_cast<uint64_t>(GetParam().policy) * 7 +
                                (GetParam().negative_adjustments ? 1 : 0);
  }

  // Every entry of every customer, paging newest first as the API does.
  std::vector<Entry> AllEntries(const std::vector<std::string>& customers) {
    std::vector<Entry> all;
    for (const std::string& c : customers) {
      EntryQuery q;
      q.customer_id = c;
      q.limit = kMaxPageSize;
      while (true) {
        auto page = session_->ListEntries(q);
        EXPECT_TRUE(page.ok()) << page.status().ToString();
        if (!page.ok() || page->empty()) break;
        all.insert(all.end(), page->begin(), page->end());
        q.before_entry_id = page->back().entry_id;
      }
    }
    return all;
  }
};

// Adds one entry to the month it falls in; its deltas to the balances of every later instant.
void Tally(const Entry& e, Expected& x) {
  ++x.entries;
  switch (e.kind) {
    case EntryKind::kEarn:
      x.earned += e.pending_delta;
      break;
    case EntryKind::kActivate:
      x.activated_pending -= e.pending_delta;
      x.activated_available += e.available_delta;
      break;
    case EntryKind::kRedeem:
      x.redeemed -= e.available_delta;
      break;
    case EntryKind::kExpire:
      x.expired -= e.available_delta;
      break;
    case EntryKind::kAdjust:
      (e.available_delta > 0 ? x.adjusted_in : x.adjusted_out) += std::abs(e.available_delta);
      break;
    case EntryKind::kReverse:
      x.clawed_pending -= e.pending_delta;
      x.clawed_available -= e.available_delta;
      break;
    case EntryKind::kRestore:
      x.restored += e.available_delta;
      break;
  }
}

TEST_P(LedgerLiabilityTest, EveryMonthReconcilesWithTheEntriesBalancesAndRefunds) {
  const uint64_t seed = Seed();
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun with LOYALTY_SEED=" + std::to_string(seed) + ")");
  std::mt19937_64 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  program_.clawback_policy = GetParam().policy;
  program_.pending_mode = PendingMode::kConfirmationOrDays;
  program_.pending_days = 7;
  program_.allow_negative_adjustments = GetParam().negative_adjustments;
  program_.expiry_months = 1;  // short: expiry happens within the run, restores hit expired lots
  program_.truncation_unit_points = 10;
  program_.point_value_won = 3;

  now_us_ = Kst(2026, 1, 5, 10);
  const int kCustomers = 5;
  std::vector<std::string> customers;
  for (int i = 0; i < kCustomers; ++i) {
    customers.push_back("c" + std::to_string(i));
    MakeCustomer(customers.back());
  }
  const Micros kEnd = Kst(2026, 7, 20, 18);
  std::vector<std::string> orders;
  int next_id = 0, ok_steps = 0, steps = 0, on_boundary = 0;
  while (now_us_ < kEnd) {
    ++steps;
    const std::string cust = customers[pick(0, kCustomers - 1)];
    const std::string id = std::to_string(++next_id);
    const int64_t op = pick(0, 99);
    bool ok = true;
    if (op < 28) {
      const Points avail = std::max<Points>(0, Get(cust).available_points);
      const Points redeem = pick(0, 2) == 0 ? 0 : pick(0, avail + 50);
      auto r = Order("o" + id, cust, pick(1, 300000), redeem);
      ok = r.ok();
      if (ok) orders.push_back("o" + id);
    } else if (op < 42 && !orders.empty()) {
      ok = Confirm(orders[pick(0, orders.size() - 1)]).ok();
    } else if (op < 60 && !orders.empty()) {
      const std::string o = orders[pick(0, orders.size() - 1)];
      const auto found = session_->FindOrder(o).value();
      const Won left = found->amount_won - found->refunded_won;
      ok = RefundOf(o, "r" + id, left > 0 ? pick(1, left) : 1).ok();
    } else if (op < 66 && !orders.empty()) {
      ok = RefundOf(orders[pick(0, orders.size() - 1)], "x" + id, 0, true).ok();
    } else if (op < 78) {
      ok = Adjust("a" + id, cust, pick(0, 1) ? pick(1, 5000) : -pick(1, 3000)).ok();
    } else if (op < 90) {
      now_us_ += pick(1, 24 * 4) * kHour;
    } else if (op < 93) {
      // The first instant of the next month, or the last one before it (within the run).
      const LocalDate today = BusinessDate(now_us_, "Asia/Seoul");
      const LocalDate next = AddMonths(LocalDate{today.year, today.month, 1}, 1);
      if (Kst(next.year, next.month, 1) < kEnd) {
        now_us_ = Kst(next.year, next.month, 1) - pick(0, 1);
        ++on_boundary;
      }
    } else {
      // What the daily job does: activate the matured orders, expire the due lots.
      auto due = session_->OrdersAwaitingActivation(now_us_, "", kMaxPageSize);
      ASSERT_TRUE(due.ok());
      for (const std::string& o : *due) {
        ok = ok && Tx([&](Session& s) { return ActivateIfMatured(s, o, Now()); }).ok();
      }
      auto lapsing = session_->CustomersWithDueLots(now_us_, "", kMaxPageSize);
      ASSERT_TRUE(lapsing.ok());
      for (const std::string& c : *lapsing) {
        ok = ok && Tx([&](Session& s) { return ExpireDueLots(s, c, Now()); }).ok();
      }
    }
    ok_steps += ok;
  }
  ASSERT_EQ(CheckAll(), "");
  EXPECT_GT(ok_steps, steps / 2);  // real work, not only refused steps
  EXPECT_GT(on_boundary, 3);

  // The report, from 2025-12 (before the first entry) to the month the run ended in.
  const LocalMonth first{2025, 12};
  const int months = 8;  // 2025-12 .. 2026-07
  LiabilityRequest request;
  request.first = first;
  request.months = months;
  request.now_us = now_us_;
  ASSERT_TRUE(session_->BeginRead().ok());
  Result<LiabilityReport> report = BuildLiabilityReport(*session_, program_, request);
  session_->EndRead();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->months.size(), static_cast<size_t>(months));

  // The same figures, by walking the entries: month boundaries from the KST calendar directly.
  const std::vector<Entry> entries = AllEntries(customers);
  std::vector<Micros> starts;
  for (int i = 0; i <= months; ++i) {
    const LocalDate d = AddMonths(LocalDate{2025, 12, 1}, i);
    starts.push_back(Kst(d.year, d.month, 1));
  }
  std::vector<Expected> expected(months);
  int64_t at_boundary = 0;
  for (const Entry& e : entries) {
    ASSERT_LT(e.created_at_us, starts.back());
    at_boundary += std::count(starts.begin(), starts.end(), e.created_at_us);
    for (int i = 0; i < months; ++i) {
      if (e.created_at_us >= starts[i] && e.created_at_us < starts[i + 1]) Tally(e, expected[i]);
      if (e.created_at_us < starts[i]) {
        expected[i].opening_pending += e.pending_delta;
        expected[i].opening_available += e.available_delta;
      }
      if (e.created_at_us < starts[i + 1]) {
        expected[i].closing_pending += e.pending_delta;
        expected[i].closing_available += e.available_delta;
        if (e.kind == EntryKind::kExpire) expected[i].expired_through -= e.available_delta;
        if (e.kind == EntryKind::kRedeem) expected[i].used_through -= e.available_delta;
        if (e.kind == EntryKind::kRestore) expected[i].used_through -= e.available_delta;
      }
    }
  }
  EXPECT_GT(at_boundary, 0) << "no entry on a month's first instant: the boundary is untested";

  Expected whole;  // every month together
  for (int i = 0; i < months; ++i) {
    const Expected& x = expected[i];
    const LiabilityMonth& m = report->months[i];
    SCOPED_TRACE(FormatLocalMonth(m.month));
    EXPECT_EQ(m.month, AddMonths(first, i));
    EXPECT_EQ(m.from_us, starts[i]);
    EXPECT_EQ(m.to_us, starts[i + 1]);
    EXPECT_EQ(m.complete, i + 1 < months);
    EXPECT_EQ(m.point_value_won, 3);
    EXPECT_EQ(m.entries, x.entries);
    EXPECT_EQ(m.opening_pending_points, x.opening_pending);
    EXPECT_EQ(m.opening_available_points, x.opening_available);
    EXPECT_EQ(m.earned_points, x.earned);
    EXPECT_EQ(m.activated_points, x.activated_pending);
    EXPECT_EQ(x.activated_available, x.activated_pending);
    EXPECT_EQ(m.clawed_back_pending_points, x.clawed_pending);
    EXPECT_EQ(m.redeemed_points, x.redeemed);
    EXPECT_EQ(m.expired_points, x.expired);
    EXPECT_EQ(m.clawed_back_available_points, x.clawed_available);
    EXPECT_EQ(m.restored_points, x.restored);
    EXPECT_EQ(m.adjusted_in_points, x.adjusted_in);
    EXPECT_EQ(m.adjusted_out_points, x.adjusted_out);
    EXPECT_EQ(m.closing_pending_points, x.closing_pending);
    EXPECT_EQ(m.closing_available_points, x.closing_available);
    // The roll-forward, on the test's own sums.
    EXPECT_EQ(x.opening_pending + x.earned - x.activated_pending - x.clawed_pending,
              x.closing_pending);
    EXPECT_EQ(x.opening_available + x.activated_available - x.redeemed - x.expired -
                  x.clawed_available + x.restored + x.adjusted_in - x.adjusted_out,
              x.closing_available);
    if (i > 0) {
      EXPECT_EQ(m.opening_pending_points, report->months[i - 1].closing_pending_points);
      EXPECT_EQ(m.opening_available_points, report->months[i - 1].closing_available_points);
    }
    // Breakage, as docs/ledger.md defines it.
    EXPECT_EQ(m.cumulative_expired_points, x.expired_through);
    EXPECT_EQ(m.cumulative_used_points, x.used_through);
    const Points resolved = x.expired + x.redeemed - x.restored;
    if (resolved > 0) {
      EXPECT_EQ(m.breakage_rate_bp, x.expired * 10000 / resolved);
    } else {
      EXPECT_FALSE(m.breakage_rate_bp.has_value());
    }
    if (x.expired_through + x.used_through > 0) {
      EXPECT_EQ(m.cumulative_breakage_rate_bp,
                x.expired_through * 10000 / (x.expired_through + x.used_through));
      EXPECT_LE(*m.cumulative_breakage_rate_bp, 10000);
    }
    whole.earned += x.earned;
    whole.redeemed += x.redeemed;
    whole.expired += x.expired;
    whole.clawed_pending += x.clawed_pending;
    whole.clawed_available += x.clawed_available;
    whole.restored += x.restored;
  }
  const LiabilityMonth& first_month = report->months.front();
  EXPECT_EQ(first_month.entries, 0);  // December 2025: before anything
  EXPECT_EQ(first_month.closing_points(), 0);
  EXPECT_GT(whole.expired, 0) << "no point expired: the run is too short";
  EXPECT_GT(whole.restored, 0);
  EXPECT_GT(whole.clawed_pending + whole.clawed_available, 0);

  // The last month ends after now: its closing balances are the customers' balances.
  Points pending = 0, available = 0;
  for (const std::string& c : customers) {
    pending += Get(c).pending_points;
    available += Get(c).available_points;
  }
  EXPECT_EQ(report->months.back().closing_pending_points, pending);
  EXPECT_EQ(report->months.back().closing_available_points, available);

  // And the orders' and refunds' own figures: earned, redeemed, clawed back and given back.
  Points earned = 0, redeemed = 0, clawed = 0, given_back = 0;
  for (const std::string& o : orders) {
    const auto order = session_->FindOrder(o).value();
    earned += order->earn_points;
    redeemed += order->points_redeemed;
    for (const Refund& r : session_->ListRefunds(o).value()) {
      clawed += r.clawed_points;
      given_back += r.restored_points + r.restored_expired_points;
    }
  }
  EXPECT_EQ(whole.earned, earned);
  EXPECT_EQ(whole.redeemed, redeemed);
  EXPECT_EQ(whole.clawed_pending + whole.clawed_available, clawed);
  EXPECT_EQ(whole.restored, given_back);

  // The renderings carry the same figures: the last month's closing value in won.
  const std::string json = LiabilityReportJson(*report);
  EXPECT_NE(json.find("\"closing_available_points\":" + std::to_string(available) +
                      ",\"closing_available_won\":" + std::to_string(available * 3)),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Policies, LedgerLiabilityTest,
                         ::testing::Values(LiabilityCase{ClawbackPolicy::kTakeAvailable, false},
                                           LiabilityCase{ClawbackPolicy::kAllowNegative, true},
                                           LiabilityCase{ClawbackPolicy::kDeductFromRefund,
                                                         false}));

}  // namespace
}  // namespace loyalty
