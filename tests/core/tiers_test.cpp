// Tier rules: windows, thresholds, schedules, and the decisions of the daily job.
#include "core/tiers.h"

#include <gtest/gtest.h>

#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::TestProgram;

TEST(TiersTest, RollingWindowEndsOnTheBusinessDate) {
  TierSettings t;
  t.window_months = 12;
  Window w = WindowFor(t, {2026, 11, 25});
  EXPECT_EQ(w.start, 20251126);
  EXPECT_EQ(w.end, 20261125);
  // 29 February: twelve months back is 28 February 2023, so the window starts on 1 March.
  w = WindowFor(t, {2024, 2, 29});
  EXPECT_EQ(w.start, 20230301);
  // Month end: 31 March minus one month is 29 February (leap year) -> starts 1 March.
  t.window_months = 1;
  EXPECT_EQ(WindowFor(t, {2024, 3, 31}).start, 20240301);
  t.window = WindowKind::kCalendarYear;
  EXPECT_EQ(WindowFor(t, {2026, 7, 4}).start, 20260101);
  t.window = WindowKind::kLifetime;
  EXPECT_EQ(WindowFor(t, {2026, 7, 4}).start, 19000101);
}

TEST(TiersTest, ThresholdExactlyMetQualifies) {
  Program p = TestProgram();
  EXPECT_EQ(QualifiedTier(p, 299999, 1), 0u);
  EXPECT_EQ(QualifiedTier(p, 300000, 1), 1u);
  EXPECT_EQ(QualifiedTier(p, 3000000, 1), 3u);
  p.tiers[3].min_orders = 5;
  EXPECT_EQ(QualifiedTier(p, 5000000, 4), 2u);  // spend enough, orders not
  EXPECT_EQ(QualifiedTier(p, 5000000, 5), 3u);
}

TEST(TiersTest, MonthlyEvaluationDayIsClampedToShortMonths) {
  TierSettings t;
  t.schedule = EvaluationSchedule::kMonthly;
  t.evaluation_day = 31;
  EXPECT_TRUE(IsEvaluationDate(t, {2026, 2, 28}));
  EXPECT_FALSE(IsEvaluationDate(t, {2026, 2, 27}));
  EXPECT_TRUE(IsEvaluationDate(t, {2028, 2, 29}));
  EXPECT_EQ(NextEvaluationDate(t, {2026, 2, 28}), (LocalDate{2026, 3, 31}));
  t.evaluation_day = 1;
  EXPECT_EQ(NextEvaluationDate(t, {2026, 11, 25}), (LocalDate{2026, 12, 1}));
  EXPECT_EQ(NextEvaluationDate(t, {2026, 12, 1}), (LocalDate{2027, 1, 1}));
  t.schedule = EvaluationSchedule::kDaily;
  EXPECT_EQ(NextEvaluationDate(t, {2026, 12, 31}), (LocalDate{2027, 1, 1}));
}

TEST(TiersTest, DowngradeWaitsForRetentionThenFollowsThePolicy) {
  Program p = TestProgram();
  p.tiering.retention_months = 3;
  Micros reached = Kst(2026, 1, 15, 10, 0);
  // Reached VIP on 15 Jan; spend now only qualifies for SILVER.
  auto d = DecideTier(p, {2026, 4, 14}, "VIP", reached, 400000, 3);
  EXPECT_EQ(d.kind, TierDecision::Kind::kKeep);
  EXPECT_EQ(d.reason, "retained");
  d = DecideTier(p, {2026, 4, 15}, "VIP", reached, 400000, 3);
  EXPECT_EQ(d.kind, TierDecision::Kind::kDowngrade);
  EXPECT_EQ(d.to, 1u);  // to_qualified: straight to SILVER
  p.tiering.policy = DowngradePolicy::kOneStep;
  d = DecideTier(p, {2026, 4, 15}, "VIP", reached, 400000, 3);
  EXPECT_EQ(d.to, 2u);  // one step: GOLD
}

TEST(TiersTest, LifetimeTiersAndScheduleBlockDowngrades) {
  Program p = TestProgram();
  p.tiers[3].downgradable = false;
  auto d = DecideTier(p, {2027, 1, 1}, "VIP", Kst(2020, 1, 1), 0, 0);
  EXPECT_EQ(d.kind, TierDecision::Kind::kKeep);
  EXPECT_EQ(d.reason, "lifetime");
  p.tiering.schedule = EvaluationSchedule::kMonthly;
  p.tiering.evaluation_day = 1;
  d = DecideTier(p, {2027, 1, 2}, "GOLD", Kst(2020, 1, 1), 0, 0);
  EXPECT_EQ(d.reason, "not_an_evaluation_date");
  d = DecideTier(p, {2027, 1, 2}, "BRONZE", Kst(2020, 1, 1), 1200000, 2);
  EXPECT_EQ(d.kind, TierDecision::Kind::kUpgrade);  // a missed upgrade is applied any day
  EXPECT_EQ(d.to, 2u);
}

TEST(TiersTest, ContradictoryTieringIsRejectedWithTheFieldNamed) {
  Program p = TestProgram();
  p.tiering.retention_months = 13;
  EXPECT_EQ(ValidateProgram(p).field(), "tiering.retention_months");
  p = TestProgram();
  p.tiers[2].downgradable = false;  // GOLD lifetime but VIP above it is not
  EXPECT_EQ(ValidateProgram(p).field(), "tiers[3].downgradable");
  p = TestProgram();
  p.tiers[2].min_orders = 3;  // GOLD needs 3 orders, VIP 0
  EXPECT_EQ(ValidateProgram(p).field(), "tiers[3].min_orders");
  p = TestProgram();
  p.tiering.evaluation_day = 32;
  EXPECT_EQ(ValidateProgram(p).field(), "tiering.evaluation.day_of_month");
}

}  // namespace
}  // namespace loyalty
