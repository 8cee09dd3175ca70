// The daily job's figures on /metrics, read from the database (job_runs, step kJobRunStep) so
// that any node reports them, whichever node ran the job: the newest business date whose run
// completed on every shard it was run with, and how long that run took. Read at most once per
// kJobMetricsCacheUs; in between, the last text. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "api/service.h"
#include "core/clock.h"

namespace loyalty {

class JobMetrics {
 public:
  explicit JobMetrics(Micros cache_us);

  // Prometheus lines: loyalty_daily_job_last_completed_date (YYYYMMDD; 0 before the first run),
  // loyalty_daily_job_last_completed_timestamp_seconds, loyalty_daily_job_last_duration_seconds
  // and loyalty_daily_job_in_progress (leases held and not expired). A database error leaves
  // them out and sets loyalty_daily_job_metrics_error 1.
  std::string Render(ReadPool& readers, Micros now_us);

 private:
  std::string Read(ReadPool& readers, Micros now_us) const;

  const Micros cache_us_;
  std::mutex mu_;
  bool read_ = false;
  Micros read_at_us_ = 0;
  std::string text_;
};

}  // namespace loyalty
