// Conformance: the daily job's records (core/store.h JobQueries): whole-run rows listed by step
// and by date, and the lease per business date and shard (one holder at a time, renewals, take
// over after expiry, release only by the holder), on every engine.
#include <memory>
#include <string>
#include <vector>

#include "core/limits.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

JobRun JobRunRow(DateKey date, const std::string& step, int shard, int shards,
                 const std::string& status, Micros started_us) {
  JobRun r;
  r.business_date = date;
  r.step = step;
  r.shard = shard;
  r.shards = shards;
  r.status = status;
  r.summary_json = "{\"n\":" + std::to_string(date % 100) + "}";
  r.started_at_us = started_us;
  r.finished_at_us = started_us + 5;
  return r;
}

std::string Rows(const std::vector<JobRun>& rows) {
  std::string s;
  for (const JobRun& r : rows) {
    s += std::to_string(r.business_date) + "/" + r.step + "/" + std::to_string(r.shard) + "of" +
         std::to_string(r.shards) + "=" + r.status + " ";
  }
  return s;
}

TEST_P(StoreConformance, JobRunsListByStepAndByDate) {
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->UpsertJobRun(JobRunRow(20260602, kJobRunStep, 0, 1, "done", 30)));
  ASSERT_OK(session_->UpsertJobRun(JobRunRow(20260601, kJobRunStep, 1, 2, "done", 20)));
  ASSERT_OK(session_->UpsertJobRun(JobRunRow(20260601, kJobRunStep, 0, 2, "skipped", 10)));
  ASSERT_OK(session_->UpsertJobRun(JobRunRow(20260601, "tiers", 0, 2, "done", 8)));
  ASSERT_OK(session_->UpsertJobRun(JobRunRow(20260601, "expire", 0, 2, "running", 5)));
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(std::vector<JobRun> whole, session_->ListJobRunsOfStep(kJobRunStep));
  EXPECT_EQ(Rows(whole),
            "20260601/run/0of2=skipped 20260601/run/1of2=done 20260602/run/0of1=done ");
  ASSERT_OK_AND_ASSIGN(std::vector<JobRun> steps, session_->ListJobRunsOfDate(20260601, 0, 2));
  EXPECT_EQ(Rows(steps),
            "20260601/expire/0of2=running 20260601/tiers/0of2=done "
            "20260601/run/0of2=skipped ");
  EXPECT_EQ(steps.front().summary_json, "{\"n\":1}");
  ASSERT_OK_AND_ASSIGN(std::vector<JobRun> none, session_->ListJobRunsOfDate(20260601, 0, 1));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformance, AJobLeaseHasOneHolderUntilItExpiresOrIsReleased) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> other, store_->OpenSession());
  const Micros t = 1'000'000;
  JobLease a{20260601, 0, 1, "a:1:x", t, t + kJobLeaseUs};
  JobLease b{20260601, 0, 1, "b:2:y", t, t + kJobLeaseUs};
  ASSERT_OK_AND_ASSIGN(JobLease got_a, session_->AcquireJobLease(a, t));
  EXPECT_EQ(got_a.holder, "a:1:x");
  EXPECT_EQ(got_a.expires_at_us, t + kJobLeaseUs);
  ASSERT_OK_AND_ASSIGN(JobLease refused, other->AcquireJobLease(b, t + 1));
  EXPECT_EQ(refused.holder, "a:1:x");  // someone else's: b learns who holds it
  // Another shard, or the same shard under another sharding, is a lease of its own.
  JobLease b_other_shard = b;
  b_other_shard.shards = 2;
  ASSERT_OK_AND_ASSIGN(JobLease own, other->AcquireJobLease(b_other_shard, t + 1));
  EXPECT_EQ(own.holder, "b:2:y");
  // A renewal moves the expiry and keeps when it was acquired.
  JobLease renewed = a;
  renewed.acquired_at_us = t + 50;
  renewed.expires_at_us = t + 50 + kJobLeaseUs;
  ASSERT_OK_AND_ASSIGN(JobLease now, session_->AcquireJobLease(renewed, t + 50));
  EXPECT_EQ(now.holder, "a:1:x");
  EXPECT_EQ(now.acquired_at_us, t);
  EXPECT_EQ(now.expires_at_us, t + 50 + kJobLeaseUs);
  // Not yet expired at its last microsecond; expired from then on: b takes it over.
  ASSERT_OK_AND_ASSIGN(JobLease early, other->AcquireJobLease(b, t + 50 + kJobLeaseUs - 1));
  EXPECT_EQ(early.holder, "a:1:x");
  const Micros later = t + 50 + kJobLeaseUs;
  b.acquired_at_us = later;
  b.expires_at_us = later + kJobLeaseUs;
  ASSERT_OK_AND_ASSIGN(JobLease taken, other->AcquireJobLease(b, later));
  EXPECT_EQ(taken.holder, "b:2:y");
  EXPECT_EQ(taken.acquired_at_us, later);
  ASSERT_OK_AND_ASSIGN(JobLease lost, session_->AcquireJobLease(renewed, later));
  EXPECT_EQ(lost.holder, "b:2:y");
  // Only the holder's release removes it.
  ASSERT_OK(session_->ReleaseJobLease(a));
  ASSERT_OK_AND_ASSIGN(std::vector<JobLease> held, session_->ListJobLeases());
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0].holder, "b:2:y");
  EXPECT_EQ(held[0].shards, 1);
  EXPECT_EQ(held[1].shards, 2);
  ASSERT_OK(other->ReleaseJobLease(b));
  ASSERT_OK(other->ReleaseJobLease(b_other_shard));
  ASSERT_OK_AND_ASSIGN(std::vector<JobLease> empty, session_->ListJobLeases());
  EXPECT_TRUE(empty.empty());
  // Free again: anyone takes it.
  ASSERT_OK_AND_ASSIGN(JobLease again, session_->AcquireJobLease(a, later + 1));
  EXPECT_EQ(again.holder, "a:1:x");
}

}  // namespace
}  // namespace loyalty::testing
