#include "api/job_metrics.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include "core/types.h"

namespace loyalty {

JobMetrics::JobMetrics(Micros cache_us) : cache_us_(cache_us) { LOYALTY_CHECK(cache_us_ > 0); }

std::string JobMetrics::Render(ReadPool& readers, Micros now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!read_ || now_us - read_at_us_ >= cache_us_ || now_us < read_at_us_) {
    text_ = Read(readers, now_us);
    read_ = true;
    read_at_us_ = now_us;
  }
  return text_;
}

std::string JobMetrics::Read(ReadPool& readers, Micros now_us) const {
  struct Figures {
    std::vector<JobRun> runs;
    std::vector<JobLease> leases;
  };
  Result<Figures> got = readers.Read([](Session& s) -> Result<Figures> {
    Figures f;
    LOYALTY_ASSIGN_OR_RETURN(f.runs, s.ListJobRunsOfStep(kJobRunStep));
    LOYALTY_ASSIGN_OR_RETURN(f.leases, s.ListJobLeases());
    return f;
  });
  std::string out =
      "# HELP loyalty_daily_job_metrics_error 1 when the job figures could not be read\n"
      "# TYPE loyalty_daily_job_metrics_error gauge\n";
  if (!got.ok()) return out + "loyalty_daily_job_metrics_error 1\n";
  out += "loyalty_daily_job_metrics_error 0\n";

  // A date is completed for a sharding N when every shard 0..N-1 has a "done" row; the newest
  // such date over every N used wins. Its duration: the longest shard's, its finish the last.
  struct DateState {
    std::map<int, const JobRun*> shards;  // shard -> its done row
  };
  std::map<std::pair<DateKey, int>, DateState> by_date;  // (date, shards)
  for (const JobRun& r : got->runs) {
    if (r.status != "done") continue;
    by_date[{r.business_date, r.shards}].shards[r.shard] = &r;
  }
  DateKey last = 0;
  double seconds = 0;
  Micros finished_us = 0;
  for (const auto& [key, state] : by_date) {
    const auto [date, shards] = key;
    if (static_cast<int>(state.shards.size()) != shards || date < last) continue;
    Micros longest = 0, finish = 0;
    for (const auto& [shard, r] : state.shards) {
      longest = std::max(longest, r->finished_at_us - r->started_at_us);
      finish = std::max(finish, r->finished_at_us);
    }
    last = date;
    seconds = static_cast<double>(longest) / 1e6;
    finished_us = finish;
  }
  int64_t in_progress = 0;
  for (const JobLease& l : got->leases) in_progress += l.expires_at_us > now_us ? 1 : 0;

  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "# HELP loyalty_daily_job_last_completed_date newest business date (YYYYMMDD) "
                "whose daily job completed on every shard\n"
                "# TYPE loyalty_daily_job_last_completed_date gauge\n"
                "loyalty_daily_job_last_completed_date %lld\n"
                "# HELP loyalty_daily_job_last_completed_timestamp_seconds when that run "
                "finished (Unix time)\n"
                "# TYPE loyalty_daily_job_last_completed_timestamp_seconds gauge\n"
                "loyalty_daily_job_last_completed_timestamp_seconds %.3f\n"
                "# HELP loyalty_daily_job_last_duration_seconds how long that run took (the "
                "slowest shard)\n"
                "# TYPE loyalty_daily_job_last_duration_seconds gauge\n"
                "loyalty_daily_job_last_duration_seconds %.3f\n"
                "# HELP loyalty_daily_job_in_progress daily job runs holding a live lease\n"
                "# TYPE loyalty_daily_job_in_progress gauge\n"
                "loyalty_daily_job_in_progress %lld\n",
                static_cast<long long>(last), static_cast<double>(finished_us) / 1e6, seconds,
                static_cast<long long>(in_progress));
  return out + buf;
}

}  // namespace loyalty
