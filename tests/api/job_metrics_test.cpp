// /metrics names the daily job's last completed date and its duration, read from the database
// (api/job_metrics.h): a date counts once every shard of its sharding is done; a skipped date
// never counts; live leases are runs in progress; the figures are re-read after the cache time.
#include "api/job_metrics.h"

#include <cstdio>
#include <string>

#include "core/limits.h"
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class JobMetricsTest : public ApiTest {
 protected:
  void Record(DateKey date, int shard, int shards, const std::string& status, Micros started_us,
              Micros seconds) {
    JobRun r;
    r.business_date = date;
    r.step = kJobRunStep;
    r.shard = shard;
    r.shards = shards;
    r.status = status;
    r.started_at_us = started_us;
    r.finished_at_us = started_us + seconds * 1'000'000;
    ASSERT_TRUE(session_->Begin().ok());
    ASSERT_TRUE(session_->UpsertJobRun(r).ok());
    ASSERT_TRUE(session_->Commit().ok());
  }
  std::string Metrics() {
    HttpResult r = client().Get("/metrics", Token("metrics"));
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
};

TEST_F(JobMetricsTest, BeforeAnyRunTheDateIsZero) {
  const std::string m = Metrics();
  EXPECT_TRUE(Contains(m, "# TYPE loyalty_daily_job_last_completed_date gauge")) << m;
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_last_completed_date 0\n")) << m;
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_in_progress 0\n")) << m;
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_metrics_error 0\n")) << m;
}

TEST_F(JobMetricsTest, TheNewestDateDoneOnEveryShardWithTheSlowestShardsDuration) {
  const Micros t = clock_.NowMicros();
  Record(20260601, 0, 1, "done", t, 7);
  Record(20260602, 0, 2, "done", t + 100'000'000, 30);
  Record(20260602, 1, 2, "done", t + 100'000'000, 42);
  Record(20260603, 0, 2, "done", t + 200'000'000, 5);  // shard 1 of 2 not done: incomplete
  Record(20260604, 0, 1, "skipped", t + 300'000'000, 0);
  JobLease live{20260603, 1, 2, "node-b:1:x", t, t + kJobLeaseUs};
  JobLease dead{20260603, 0, 3, "node-c:1:y", t - 2 * kJobLeaseUs, t - kJobLeaseUs};
  ASSERT_TRUE(session_->AcquireJobLease(live, t).ok());
  ASSERT_TRUE(session_->AcquireJobLease(dead, t - 2 * kJobLeaseUs).ok());

  const std::string m = Metrics();
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_last_completed_date 20260602\n")) << m;
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_last_duration_seconds 42.000\n")) << m;
  char finished[96];
  std::snprintf(finished, sizeof finished,
                "\nloyalty_daily_job_last_completed_timestamp_seconds %.3f\n",
                static_cast<double>(t + 142'000'000) / 1e6);
  EXPECT_TRUE(Contains(m, finished)) << m;
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_in_progress 1\n")) << m;  // the dead one expired
}

TEST_F(JobMetricsTest, FiguresAreReadAgainOnlyAfterTheCacheTime) {
  const Micros t = clock_.NowMicros();
  Record(20260601, 0, 1, "done", t, 3);
  EXPECT_TRUE(Contains(Metrics(), "\nloyalty_daily_job_last_completed_date 20260601\n"));
  Record(20260602, 0, 1, "done", t, 4);
  EXPECT_TRUE(Contains(Metrics(), "\nloyalty_daily_job_last_completed_date 20260601\n"));
  clock_.Advance(kJobMetricsCacheUs);
  const std::string m = Metrics();
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_last_completed_date 20260602\n")) << m;
  EXPECT_TRUE(Contains(m, "\nloyalty_daily_job_last_duration_seconds 4.000\n")) << m;
}

}  // namespace
}  // namespace loyalty::apitest
