// The daily job over a real SQLite store: step order, idempotency per date, resume after a
// crash, dry run, shards, and bad dates.
#include "jobs/daily_job.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "jobs/simulate.h"
#include "tests/core/coupon_test_util.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

class DailyJobTest : public LedgerFixture {
 protected:
  Result<DailySummary> RunJob(LocalDate d, DailyJobOptions o = {}) {
    FakeClock clock(now_us_);
    DailyJob job(*store_, program_, clock);
    o.date = d;
    return job.Run(o);
  }
  // Customers c0..c(n-1), each GOLD since 10 Jan 2026 on a 1,000,000 order refunded to 200,000.
  void GoldCustomersWhoRefunded(int n) {
    now_us_ = Kst(2026, 1, 10, 12, 0);
    for (int i = 0; i < n; ++i) {
      std::string c = "c" + std::to_string(i);
      MakeCustomer(c);
      ASSERT_TRUE(Order("o" + std::to_string(i), c, 1000000).ok());
      ASSERT_TRUE(Confirm("o" + std::to_string(i)).ok());
      ASSERT_TRUE(RefundOf("o" + std::to_string(i), "r", 800000).ok());
    }
  }
  std::string Tiers(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += Get("c" + std::to_string(i)).tier + " ";
    return out;
  }
  int64_t EventCount() {
    EventQuery q;
    q.limit = 500;
    int64_t n = 0;
    for (;;) {
      auto page = session_->ListEvents(q).value();
      n += static_cast<int64_t>(page.size());
      if (page.size() < 500) return n;
      q.after_event_id = page.back().event_id;
    }
  }
};

TEST_F(DailyJobTest, ActivatesMaturedPointsAndExpiresDueLotsByTheEndOfTheDay) {
  program_.pending_mode = PendingMode::kDays;
  program_.pending_days = 7;
  MakeCustomer("c1");
  now_us_ = Kst(2026, 3, 1, 10, 0);
  ASSERT_TRUE(Order("o1", "c1", 100000).ok());
  now_us_ = Kst(2026, 3, 8, 12, 0);
  auto s = RunJob({2026, 3, 7});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Get("c1").pending_points, 1000);  // 7 days end at 10:00 on 8 March
  s = RunJob({2026, 3, 8});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->steps[0].step, "activate");
  EXPECT_EQ(s->steps[0].changed, 1);
  EXPECT_EQ(Get("c1").available_points, 1000);
  EXPECT_EQ(s->tally.points_activated, 1000);
  EXPECT_NE(s->ToJson().find("\"points_activated\":1000"), std::string::npos) << s->ToJson();
  EXPECT_NE(s->ToText().find("points activated: 1000"), std::string::npos) << s->ToText();
  // The lot (12 months from 8 March 12:00) is due at the start of 9 March 2027 KST.
  now_us_ = Kst(2027, 3, 9, 0, 5);
  s = RunJob({2027, 3, 8});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->steps[1].step, "expire");
  EXPECT_EQ(s->steps[1].changed, 1);
  EXPECT_EQ(Get("c1").available_points, 0);
  EXPECT_EQ(s->points_expired, 1000);
  EXPECT_EQ(s->tally.points_activated, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobTest, DowngradesAfterRetentionAndARerunChangesNothing) {
  program_.tiering.retention_months = 2;
  GoldCustomersWhoRefunded(3);
  now_us_ = Kst(2026, 3, 10, 1, 0);
  auto s = RunJob({2026, 3, 10});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Tiers(3), "BRONZE BRONZE BRONZE ");
  EXPECT_EQ((s->tier_moves[{"GOLD", "BRONZE"}]), 3);
  int64_t events = EventCount();
  auto again = RunJob({2026, 3, 10});
  ASSERT_TRUE(again.ok());
  for (const StepSummary& st : again->steps) EXPECT_TRUE(st.skipped) << st.step;
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobTest, DryRunReportsTheSameSummaryAndWritesNothing) {
  GoldCustomersWhoRefunded(4);
  now_us_ = Kst(2026, 6, 1, 1, 0);
  int64_t events = EventCount();
  DailyJobOptions dry;
  dry.dry_run = true;
  auto d = RunJob({2026, 6, 1}, dry);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Tiers(4), "GOLD GOLD GOLD GOLD ");
  EXPECT_EQ(EventCount(), events);
  EXPECT_FALSE(session_->FindJobRun(20260601, "tiers", 0, 1).value().has_value());
  auto real = RunJob({2026, 6, 1});
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(d->tier_moves, real->tier_moves);
  EXPECT_EQ((real->tier_moves[{"GOLD", "BRONZE"}]), 4);
}

TEST_F(DailyJobTest, ACrashedRunResumesWithoutApplyingAnythingTwice) {
  GoldCustomersWhoRefunded(7);
  now_us_ = Kst(2026, 6, 1, 1, 0);
  DailyJobOptions crash;
  crash.batch_size = 2;
  crash.fail_after_batches = 2;  // dies after 4 of 7 customers of the tiers step
  auto s = RunJob({2026, 6, 1}, crash);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(Tiers(7), "BRONZE BRONZE BRONZE BRONZE GOLD GOLD GOLD ");
  auto run = session_->FindJobRun(20260601, "tiers", 0, 1).value();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, "running");
  EXPECT_EQ(run->cursor, "c3");
  DailyJobOptions resume;
  resume.batch_size = 2;
  s = RunJob({2026, 6, 1}, resume);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Tiers(7), "BRONZE BRONZE BRONZE BRONZE BRONZE BRONZE BRONZE ");
  // The totals of the whole date: the crashed run's 4 moves and the 3 of the rest.
  EXPECT_TRUE(s->resumed);
  EXPECT_EQ((s->tier_moves[{"GOLD", "BRONZE"}]), 7);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(session_->ListTierChanges("c" + std::to_string(i), 10).value().size(), 2u);
  }
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobTest, ShardsSplitTheCustomersWithoutOverlap) {
  GoldCustomersWhoRefunded(10);
  now_us_ = Kst(2026, 6, 1, 1, 0);
  int64_t moved = 0;
  for (int k = 0; k < 3; ++k) {
    DailyJobOptions o;
    o.shard = k;
    o.shards = 3;
    auto s = RunJob({2026, 6, 1}, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    moved += s->tier_moves[{"GOLD", "BRONZE"}];
  }
  EXPECT_EQ(moved, 10);
  std::string all_bronze;
  for (int i = 0; i < 10; ++i) all_bronze += "BRONZE ";
  EXPECT_EQ(Tiers(10), all_bronze);
}

TEST_F(DailyJobTest, RejectsFutureDatesAndDatesBeforeTheProgrammeTookEffect) {
  now_us_ = Kst(2026, 3, 10, 23, 0);
  EXPECT_EQ(RunJob({2026, 3, 11}).status().field(), "--date");
  program_.effective_date = "2026-03-05";
  EXPECT_EQ(RunJob({2026, 3, 4}).status().field(), "--date");
  EXPECT_TRUE(RunJob({2026, 3, 5}).ok());
  DailyJobOptions bad;
  bad.shard = 3;
  bad.shards = 3;
  EXPECT_EQ(RunJob({2026, 3, 6}, bad).status().field(), "--shard");
}

TEST_F(DailyJobTest, SimulationCountsMovesAndWritesNothing) {
  GoldCustomersWhoRefunded(3);
  MakeCustomer("big");
  ASSERT_TRUE(Order("ob", "big", 400000).ok());
  ASSERT_TRUE(Confirm("ob").ok());
  now_us_ = Kst(2026, 6, 1, 1, 0);
  Program proposed = program_;
  proposed.version = 4;
  proposed.tiers[1].threshold_won = 500000;  // SILVER gets harder
  auto r = SimulateProgram(*store_, program_, proposed, {2026, 6, 1});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->customers, 4);
  EXPECT_EQ((r->moves[{"GOLD", "BRONZE"}]), 3);
  EXPECT_EQ((r->moves[{"SILVER", "BRONZE"}]), 1);
  EXPECT_EQ(r->window_earn_current_points, 3 * 6000 + 400000 * 2 / 100);
  EXPECT_EQ(r->window_earn_new_points, (3 * 200000 + 400000) / 100);
  EXPECT_EQ(Get("big").tier, "SILVER");
  EXPECT_EQ(Get("big").spend_as_of, 0);  // the recomputation was rolled back
}

TEST_F(DailyJobTest, CouponStepsExpireWarnAndGiveBirthdayCouponsOnceAYear) {
  program_ = testing::CouponProgram();
  testing::SeededRandom random(7);
  random_ = &random;
  now_us_ = Kst(2026, 3, 1, 9, 0);
  MakeCustomer("c1");
  CustomerInput in;
  in.customer_id = "c1";
  in.birth_date = std::optional<std::string>("1990-03-22");
  ASSERT_TRUE(Tx([&](Session& s) { return UpsertCustomer(s, in, Now()); }).ok());
  IssueCouponRequest r;
  r.customer_id = "c1";
  r.template_code = "EXTRA";  // 30 days: ends 00:00 KST 31 March
  ASSERT_TRUE(Tx([&](Session& s) { return IssueCoupon(s, r, Now()); }).ok());

  DailyJobOptions o;
  o.random = &random;
  auto step = [](const DailySummary& d, const std::string& name) {
    for (const StepSummary& st : d.steps) {
      if (st.step == name) return st;
    }
    return StepSummary{};
  };
  now_us_ = Kst(2026, 3, 2, 1, 0);
  auto d1 = RunJob({2026, 3, 1}, o);
  ASSERT_TRUE(d1.ok()) << d1.status().ToString();
  EXPECT_EQ(step(*d1, "birthdays").changed, 1);
  EXPECT_EQ(d1->tally.coupons_issued, 1);
  EXPECT_NE(d1->ToJson().find("\"coupons_issued\":1"), std::string::npos) << d1->ToJson();
  EXPECT_EQ(step(*d1, "coupons").changed, 0);
  now_us_ = Kst(2026, 3, 29, 1, 0);
  auto d2 = RunJob({2026, 3, 28}, o);  // the birthday coupon is not issued twice this year
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(step(*d2, "birthdays").changed, 0);
  EXPECT_EQ(step(*d2, "coupons").changed, 2);  // EXTRA and BDAY end within 3 days: warned
  now_us_ = Kst(2026, 3, 31, 1, 0);
  auto d3 = RunJob({2026, 3, 30}, o);  // T = 00:00 31 March: EXTRA has ended
  ASSERT_TRUE(d3.ok());
  EXPECT_EQ(step(*d3, "coupons").changed, 1);
  CouponQuery q;
  q.customer_id = "c1";
  q.status = CouponStatus::kExpired;
  EXPECT_EQ(session_->ListCoupons(q)->size(), 1u);
  auto rerun = RunJob({2026, 3, 30}, o);
  ASSERT_TRUE(rerun.ok());
  EXPECT_TRUE(step(*rerun, "coupons").skipped);
}

}  // namespace
}  // namespace loyalty
