// The daily job cannot double and reports whole dates (issue 12): one run per date and shard
// (the lease, over two sessions), a crashed holder's lease expires and the next run resumes
// with the totals of the whole date, and a tier change decided for D counts from D whatever
// the wall time of the run (the retention anchor).
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/shard.h"
#include "core/tiers.h"
#include "jobs/daily_job.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

class DailyJobLeaseTest : public LedgerFixture {
 protected:
  Result<DailySummary> RunJob(LocalDate d, DailyJobOptions o = {}) {
    FakeClock clock(now_us_);
    DailyJob job(*store_, program_, clock);
    o.date = d;
    return job.Run(o);
  }
  // GOLD since 10 Jan 2026 on a 1,000,000 order refunded to 200,000.
  void GoldWhoRefunded(const std::string& c) {
    const Micros saved = now_us_;
    now_us_ = Kst(2026, 1, 10, 12, 0);
    MakeCustomer(c);
    ASSERT_TRUE(Order("o-" + c, c, 1000000).ok());
    ASSERT_TRUE(Confirm("o-" + c).ok());
    ASSERT_TRUE(RefundOf("o-" + c, "r-" + c, 800000).ok());
    now_us_ = saved;
  }
};

TEST_F(DailyJobLeaseTest, ASecondRunWhileOneRunsIsRefusedNamingTheHolder) {
  for (int i = 0; i < 5; ++i) GoldWhoRefunded("c" + std::to_string(i));
  now_us_ = Kst(2026, 6, 1, 1, 0);
  std::optional<Result<DailySummary>> second;
  DailyJobOptions first;
  first.batch_size = 2;
  first.holder = "node-a:100:aaaa";
  // While the first run is between batches, a second job (its own sessions, as on another
  // node) tries the same date and shard.
  first.on_progress = [&](const JobProgress&) {
    if (second) return;
    DailyJobOptions other;
    other.holder = "node-b:200:bbbb";
    second = RunJob({2026, 6, 1}, other);
  };
  auto s = RunJob({2026, 6, 1}, first);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(second.has_value());
  ASSERT_FALSE(second->ok());
  EXPECT_EQ(second->status().code(), Code::kInvalidState);
  EXPECT_NE(second->status().message().find("is in progress on node-a:100:aaaa since "),
            std::string::npos)
      << second->status().message();
  EXPECT_EQ((s->tier_moves[{"GOLD", "BRONZE"}]), 5);
  // Released at the end; the whole run is recorded.
  EXPECT_TRUE(session_->ListJobLeases().value().empty());
  auto whole = session_->FindJobRun(20260601, kJobRunStep, 0, 1).value();
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->status, "done");
  EXPECT_NE(whole->summary_json.find("\"holder\":\"node-a:100:aaaa\""), std::string::npos);
}

TEST_F(DailyJobLeaseTest, OnlyOneOfTwoHoldersGetsTheLeaseAndAnExpiredOneIsTakenOver) {
  auto other = store_->OpenSession();
  ASSERT_TRUE(other.ok());
  JobLease a{20260601, 0, 1, "a:1:x", 1000, 1000 + kJobLeaseUs};
  JobLease b{20260601, 0, 1, "b:2:y", 1000, 1000 + kJobLeaseUs};
  EXPECT_EQ(session_->AcquireJobLease(a, 1000).value().holder, "a:1:x");
  EXPECT_EQ((*other)->AcquireJobLease(b, 1000).value().holder, "a:1:x");
  // The holder renews (acquired_at stays).
  JobLease renewed = a;
  renewed.expires_at_us = 5000 + kJobLeaseUs;
  JobLease now = session_->AcquireJobLease(renewed, 5000).value();
  EXPECT_EQ(now.expires_at_us, 5000 + kJobLeaseUs);
  EXPECT_EQ(now.acquired_at_us, 1000);
  // Expired: b takes it over.
  const Micros later = 5000 + kJobLeaseUs;
  b.acquired_at_us = later;
  b.expires_at_us = later + kJobLeaseUs;
  EXPECT_EQ((*other)->AcquireJobLease(b, later).value().holder, "b:2:y");
  EXPECT_EQ(session_->AcquireJobLease(renewed, later).value().holder, "b:2:y");
  // Only the holder's own release counts.
  ASSERT_TRUE(session_->ReleaseJobLease(a).ok());
  EXPECT_EQ(session_->ListJobLeases().value().size(), 1u);
  ASSERT_TRUE((*other)->ReleaseJobLease(b).ok());
  EXPECT_TRUE(session_->ListJobLeases().value().empty());
}

TEST_F(DailyJobLeaseTest, ACrashedHoldersLeaseExpiresAndTheNextRunResumesTheWholeDate) {
  for (int i = 0; i < 7; ++i) GoldWhoRefunded("c" + std::to_string(i));
  now_us_ = Kst(2026, 6, 1, 1, 0);
  DailyJobOptions crash;
  crash.batch_size = 2;
  crash.fail_after_batches = 2;  // dies after 4 of 7 customers of the tiers step
  ASSERT_FALSE(RunJob({2026, 6, 1}, crash).ok());
  // A real crash leaves its lease behind: a lease of a dead holder, taken just before.
  JobLease dead{20260601, 0, 1, "dead:1:zz", now_us_, now_us_ + kJobLeaseUs};
  ASSERT_EQ(session_->AcquireJobLease(dead, now_us_).value().holder, "dead:1:zz");
  DailyJobOptions resume;
  resume.batch_size = 2;
  auto refused = RunJob({2026, 6, 1}, resume);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("in progress on dead:1:zz"), std::string::npos);
  now_us_ += kJobLeaseUs;  // the lease has run out
  auto s = RunJob({2026, 6, 1}, resume);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->resumed);
  EXPECT_FALSE(s->already_done);
  EXPECT_NE(s->ToText().find("resumed"), std::string::npos) << s->ToText();
  // Totals of the whole date: the 4 moves of the crashed run and the 3 of this one.
  EXPECT_EQ((s->tier_moves[{"GOLD", "BRONZE"}]), 7);
  for (const StepSummary& st : s->steps) {
    if (st.step == "tiers") {
      EXPECT_EQ(st.changed, 7);
    }
  }
  const std::string json = s->ToJson();
  EXPECT_NE(json.find("\"resumed\":true"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"from\":\"GOLD\",\"to\":\"BRONZE\",\"count\":7}"), std::string::npos)
      << json;
  EXPECT_TRUE(session_->ListJobLeases().value().empty());
  // Run again: everything done earlier, the same totals, nothing new.
  auto again = RunJob({2026, 6, 1}, resume);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_done);
  EXPECT_EQ((again->tier_moves[{"GOLD", "BRONZE"}]), 7);
  EXPECT_EQ(CheckAll(), "");
}

// Two customers with the same history, one per shard: shard 0's job runs at 23:55 on D, shard
// 1's at 00:05 on D+1 (as a cron after midnight would). Their tier histories must agree.
TEST_F(DailyJobLeaseTest, ATierChangeForDCountsFromDWhateverTheTimeOfTheRun) {
  program_.tiering.retention_months = 1;
  std::string ids[2];
  for (int i = 0; ids[0].empty() || ids[1].empty(); ++i) {
    const std::string id = "k" + std::to_string(i);
    if (ids[ShardOf(id, 2)].empty()) ids[ShardOf(id, 2)] = id;
  }
  for (const std::string& id : ids) GoldWhoRefunded(id);
  const LocalDate d{2026, 6, 1};
  DailyJobOptions o;
  o.shards = 2;
  o.shard = 0;
  now_us_ = Kst(2026, 6, 1, 23, 55);
  ASSERT_TRUE(RunJob(d, o).ok());
  o.shard = 1;
  now_us_ = Kst(2026, 6, 2, 0, 5);
  ASSERT_TRUE(RunJob(d, o).ok());
  const Customer late = Get(ids[1]);
  const Customer early = Get(ids[0]);
  EXPECT_EQ(early.tier, late.tier);
  EXPECT_EQ(early.tier_since_us, late.tier_since_us);
  EXPECT_EQ(late.tier_since_us, Kst(2026, 6, 1, 0, 0));
  EXPECT_EQ(FormatLocalDate(RetainedUntil(program_, late.tier_since_us)), "2026-07-01");
  auto he = session_->ListTierChanges(ids[0], 10).value();
  auto hl = session_->ListTierChanges(ids[1], 10).value();
  ASSERT_EQ(he.size(), hl.size());
  for (size_t i = 0; i < he.size(); ++i) {
    EXPECT_EQ(he[i].kind, hl[i].kind);
    EXPECT_EQ(he[i].from_tier, hl[i].from_tier);
    EXPECT_EQ(he[i].to_tier, hl[i].to_tier);
    EXPECT_EQ(he[i].business_date, hl[i].business_date);
  }
}

}  // namespace
}  // namespace loyalty
