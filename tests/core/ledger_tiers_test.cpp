// Tiers inside ledger commands: spend records, immediate upgrades, refunds that never
// downgrade on the spot, KST day boundaries, progress in won, the job's per-customer step.
#include <gtest/gtest.h>

#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

class LedgerTiersTest : public LedgerFixture {
 protected:
  std::vector<TierChange> History(const std::string& c) {
    return session_->ListTierChanges(c, 50).value();
  }
  SpendTotal Spend(const std::string& c, DateKey from, DateKey to) {
    return session_->SumSpend(c, from, to).value();
  }
};

TEST_F(LedgerTiersTest, ConfirmationThatCrossesTheThresholdUpgradesAtOnce) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 299999).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  EXPECT_EQ(Get("c1").tier, "BRONZE");
  ASSERT_TRUE(Order("o2", "c1", 1).ok());
  EXPECT_EQ(Get("c1").tier, "BRONZE");  // spend counts at confirmation, not placement
  ASSERT_TRUE(Confirm("o2").ok());
  Customer c = Get("c1");
  EXPECT_EQ(c.tier, "SILVER");  // exactly 300,000: >= upgrades
  EXPECT_EQ(c.tier_since_us, now_us_);
  auto h = History("c1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].from_tier, "BRONZE");
  EXPECT_EQ(h[0].to_tier, "SILVER");
  EXPECT_EQ(h[0].qualifying_won, 300000);
  EXPECT_EQ(h[0].threshold_won, 300000);
  EXPECT_EQ(h[0].order_count, 2);
  EXPECT_EQ(h[0].window_end, 20260310);
  EXPECT_EQ(h[0].window_start, 20250311);
  EXPECT_EQ(h[0].rule_version, 3);
  EXPECT_EQ(h[0].policy, "immediate");
  // The next order earns at the new rate.
  auto o3 = Order("o3", "c1", 10000);
  EXPECT_EQ(o3->order.earn_rate_bp, 200);
}

TEST_F(LedgerTiersTest, PlacementModeCountsAndUpgradesWhenTheOrderIsPlaced) {
  program_.tiering.counts_at = SpendMoment::kPlacement;
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 1000000).ok());
  EXPECT_EQ(Get("c1").tier, "GOLD");
}

TEST_F(LedgerTiersTest, RefundReducesTheOriginalDateAndNeverDowngradesOnTheSpot) {
  MakeCustomer("c1");
  now_us_ = Kst(2026, 3, 10, 12, 0);
  ASSERT_TRUE(Order("o1", "c1", 400000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  EXPECT_EQ(Get("c1").tier, "SILVER");
  now_us_ = Kst(2026, 4, 2, 9, 0);
  auto f = RefundOf("o1", "r1", 300000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(Get("c1").tier, "SILVER");                           // the job decides downgrades
  EXPECT_EQ(Spend("c1", 20260310, 20260310).spend_won, 100000);  // on 10 March, not 2 April
  EXPECT_EQ(Spend("c1", 20260402, 20260402).spend_won, 0);
  ASSERT_TRUE(RefundOf("o1", "r2", 0, true).ok());
  SpendTotal t = Spend("c1", 20260101, 20261231);
  EXPECT_EQ(t.spend_won, 0);
  EXPECT_EQ(t.orders, 0);  // a fully refunded order no longer counts as an order
}

TEST_F(LedgerTiersTest, RefundBeforeConfirmationCountsOnlyWhatIsLeft) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 500000).ok());
  ASSERT_TRUE(RefundOf("o1", "r1", 250000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  EXPECT_EQ(Spend("c1", 20260101, 20261231).spend_won, 250000);
  EXPECT_EQ(Get("c1").tier, "BRONZE");
}

TEST_F(LedgerTiersTest, SpendIsDatedByTheKstCalendarNotUtc) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 1000).ok());
  ASSERT_TRUE(Order("o2", "c1", 2000).ok());
  now_us_ = Kst(2026, 3, 31, 23, 59);  // still 31 March in Seoul (14:59 UTC)
  ASSERT_TRUE(Confirm("o1").ok());
  now_us_ = Kst(2026, 4, 1, 0, 0);  // 1 April in Seoul, 31 March 15:00 UTC
  ASSERT_TRUE(Confirm("o2").ok());
  EXPECT_EQ(Spend("c1", 20260331, 20260331).spend_won, 1000);
  EXPECT_EQ(Spend("c1", 20260401, 20260401).spend_won, 2000);
}

TEST_F(LedgerTiersTest, AnOrderConfirmedAfterItsPlacementWindowClosedCountsOnTheConfirmationDay) {
  MakeCustomer("c1");
  now_us_ = Kst(2025, 1, 10, 12, 0);
  ASSERT_TRUE(Order("o1", "c1", 350000).ok());
  now_us_ = Kst(2026, 3, 10, 12, 0);  // the 12-month window of the order's date has closed
  ASSERT_TRUE(Confirm("o1").ok());
  EXPECT_EQ(Spend("c1", 20260310, 20260310).spend_won, 350000);
  EXPECT_EQ(Spend("c1", 20250110, 20250110).spend_won, 0);
  EXPECT_EQ(Get("c1").tier, "SILVER");  // it counts in today's window, so it upgrades now
}

TEST_F(LedgerTiersTest, ProgressIsInWonFromTheSameRecordsAsTheJob) {
  program_.tiering.schedule = EvaluationSchedule::kMonthly;
  program_.tiering.evaluation_day = 1;
  MakeCustomer("c1");
  now_us_ = Kst(2025, 12, 5, 12, 0);
  ASSERT_TRUE(Order("o1", "c1", 320000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  now_us_ = Kst(2026, 11, 25, 12, 0);
  ASSERT_TRUE(Order("o2", "c1", 50000).ok());
  ASSERT_TRUE(Confirm("o2").ok());
  Customer c = Get("c1");
  ASSERT_EQ(c.tier, "SILVER");
  auto p = Tx([&](Session& s) { return ComputeProgress(s, c, Now()); });
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->spend_won, 370000);
  ASSERT_TRUE(p->next.has_value());
  EXPECT_EQ(p->next->tier, "GOLD");
  EXPECT_EQ(p->next->gap_won, 630000);
  // The window of 5 Dec 2026 starts on 6 Dec 2025: the 5 Dec 2025 order counts through the 4th.
  EXPECT_EQ(p->next->gap_valid_through, 20261204);
  EXPECT_LE(WindowFor(program_.tiering, LocalDate{2026, 12, 4}).start, 20251205);
  EXPECT_GT(WindowFor(program_.tiering, LocalDate{2026, 12, 5}).start, 20251205);
  ASSERT_TRUE(p->keep.has_value());
  EXPECT_EQ(p->keep->evaluation_date, (LocalDate{2026, 12, 1}));
  EXPECT_EQ(p->keep->window.start, 20251202);
  EXPECT_EQ(p->keep->counted_won, 370000);  // both orders are still inside on 1 Dec
  EXPECT_EQ(p->keep->needed_won, 0);
  // The same spend the job sums for that evaluation date.
  EXPECT_EQ(Spend("c1", p->keep->window.start, p->keep->window.end).spend_won,
            p->keep->counted_won);
}

TEST_F(LedgerTiersTest, EvaluateTierDowngradesAfterRetentionAndExplainsIt) {
  program_.tiering.retention_months = 2;
  MakeCustomer("c1");
  now_us_ = Kst(2026, 1, 10, 12, 0);
  ASSERT_TRUE(Order("o1", "c1", 1000000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_EQ(Get("c1").tier, "GOLD");
  now_us_ = Kst(2026, 2, 1, 12, 0);
  ASSERT_TRUE(RefundOf("o1", "r1", 800000).ok());
  auto d = Tx([&](Session& s) { return EvaluateTier(s, "c1", LocalDate{2026, 3, 9}, Now()); });
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->reason, "retained");
  EXPECT_EQ(Get("c1").tier, "GOLD");
  now_us_ = Kst(2026, 3, 10, 0, 30);
  d = Tx([&](Session& s) { return EvaluateTier(s, "c1", LocalDate{2026, 3, 10}, Now()); });
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, TierDecision::Kind::kDowngrade);
  EXPECT_EQ(Get("c1").tier, "BRONZE");
  auto h = History("c1");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].kind, "downgrade");
  EXPECT_EQ(h[0].qualifying_won, 200000);
  EXPECT_EQ(h[0].policy, "to_qualified");
  EXPECT_EQ(h[0].business_date, 20260310);
  // A rerun of the same date changes nothing.
  d = Tx([&](Session& s) { return EvaluateTier(s, "c1", LocalDate{2026, 3, 10}, Now()); });
  EXPECT_EQ(d->kind, TierDecision::Kind::kKeep);
  EXPECT_EQ(History("c1").size(), 2u);
  EXPECT_EQ(CheckAll(), "");
}

}  // namespace
}  // namespace loyalty
