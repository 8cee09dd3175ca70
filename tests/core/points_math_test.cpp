#include "core/points_math.h"

#include <gtest/gtest.h>

#include "core/business_time.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::TestProgram;

TEST(PointsMathTest, EarnTruncatesToTheUnit) {
  EXPECT_EQ(EarnPoints(12345, 100, 1), 123);   // 1% of 12,345 = 123.45 -> 123
  EXPECT_EQ(EarnPoints(12345, 100, 10), 120);  // 절사 to 10
  EXPECT_EQ(EarnPoints(99, 100, 1), 0);
  EXPECT_EQ(EarnPoints(0, 500, 1), 0);
  EXPECT_EQ(EarnPoints(10'000'000'000, 10000, 1), 10'000'000'000);  // no overflow
}

TEST(PointsMathTest, ProportionFloorsAndEndsExact) {
  EXPECT_EQ(ProportionFloor(100, 1, 3), 33);
  EXPECT_EQ(ProportionFloor(100, 2, 3), 66);
  EXPECT_EQ(ProportionFloor(100, 3, 3), 100);
  EXPECT_EQ(ProportionFloor(9007199254740991, 2, 3), 6004799503160660);  // no overflow at 2^53
}

TEST(PointsMathTest, RedemptionRulesInOrder) {
  Program p = TestProgram();
  p.min_redeem_balance_points = 1000;
  p.min_redeem_points = 100;
  p.max_redeem_share_bp = 1000;  // 10% of the order
  EXPECT_TRUE(CheckRedemption(p, 50000, 5000, 8000).ok());
  EXPECT_EQ(CheckRedemption(p, 50000, 5001, 8000).code(), Code::kRedeemLimitExceeded);
  EXPECT_EQ(CheckRedemption(p, 50000, 50, 8000).code(), Code::kBelowMinimumRedemption);
  EXPECT_EQ(CheckRedemption(p, 50000, 500, 999).code(), Code::kBelowMinimumBalance);
  EXPECT_EQ(CheckRedemption(p, 50000, 5000, 4000).code(), Code::kInsufficientPoints);
  EXPECT_EQ(CheckRedemption(p, 500, 600, 8000).code(), Code::kRedeemLimitExceeded);
  EXPECT_EQ(MaxRedeemable(p, 50000, 8000), 5000);
  EXPECT_EQ(MaxRedeemable(p, 50000, 999), 0);
  EXPECT_EQ(MaxRedeemable(p, 50000, 1200), 1200);
}

TEST(PointsMathTest, DebitTakesSoonestExpiringLotsFirst) {
  std::vector<Lot> lots(3);
  lots[0].lot_id = 7, lots[0].remaining_points = 100;
  lots[1].lot_id = 3, lots[1].remaining_points = 0;
  lots[2].lot_id = 9, lots[2].remaining_points = 500;
  auto plan = PlanDebit(lots, 250);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].lot_id, 7);
  EXPECT_EQ(plan[0].points, -100);
  EXPECT_EQ(plan[1].lot_id, 9);
  EXPECT_EQ(plan[1].points, -150);
}

TEST(PointsMathTest, ExpiryCountsFromActivationInKst) {
  Program p = TestProgram();
  p.expiry_months = 12;
  // Activated 2026-03-01 00:30 KST (still 2026-02-28 in UTC): expires at the end of 2027-03-01 KST.
  EXPECT_EQ(ExpiryFor(p, Kst(2026, 3, 1, 0, 30)), Kst(2027, 3, 2));
  // Activated 2026-02-28 23:59 KST: end of 2027-02-28.
  EXPECT_EQ(ExpiryFor(p, Kst(2026, 2, 28, 23, 59)), Kst(2027, 3, 1));
  p.expiry_rounding = ExpiryRounding::kEndOfMonth;
  EXPECT_EQ(ExpiryFor(p, Kst(2026, 3, 10, 9, 0)), Kst(2027, 4, 1));
  // 29 February: one year later is clamped to 28 February.
  p.expiry_rounding = ExpiryRounding::kEndOfDay;
  EXPECT_EQ(ExpiryFor(p, Kst(2028, 2, 29, 12, 0)), Kst(2029, 3, 1));
}

}  // namespace
}  // namespace loyalty
