// The daily job: the scheduled half of the ledger and the tiers, for one business date D.
//
// Steps, in this order (docs/tiers.md says why this order):
//   1. activate  pending points whose pending period ended by T (PendingMode days modes)
//   2. expire    available lots due by T
//   3. spend     recompute every customer's window spend as of D (one set-based statement)
//   4. tiers     downgrades (on evaluation dates, after retention) and missed upgrades
//                (an upgrade issues the tier's promotion coupon)
//   5. coupons   expire coupons ended by T, coupon.expiring_soon for those ending within
//                coupons.expiring_soon_days (once each)
//   6. birthdays the tier's birthday coupon to customers born in D's month (once a year: the
//                dedupe key birthday:<customer>:<year>)
// then the messages of the outbox (core/messaging.h, docs/messages.md), each step only when one
// of its triggers is enabled (otherwise it does not run and is not recorded in job_runs):
//   7. nudges    tier_near / tier_at_risk (NudgeTier) for the customers of the shard whose
//                recomputed window spend puts them plausibly near the next tier, or who hold a
//                downgradable tier above the entry tier within tier_at_risk_days of the next
//                evaluation date (a cheap filter over ListStandings; NudgeTier decides under
//                the customer's lock)
//   8. expiry_notices  points_expiring (NotifyExpiringPoints) for customers with available lots
//                whose last day is at most max(stages) days after D
//   9. lifecycle first_purchase_reminder, review_request, repurchase_reminder, winback
//                (RunLifecycle) for the customers of the shard DueLifecycle finds due on D
//  10. consent_reconfirm  consent_reconfirm (NotifyConsentReconfirm, core/consent.h) for the
//                customers of the shard holding marketing consent last confirmed on or before
//                ReconfirmDueThrough(D) (the same day two years earlier), once per confirmation
// where T = min(now, end of D in the programme's zone): nothing expires or activates early.
// A message step's `changed` counts what it wrote: customers given a message for nudges and
// expiry_notices (NudgeTier / NotifyExpiringPoints report whether they wrote one), messages for
// lifecycle (RunLifecycle's count). Reruns and later dates inside the catch-up window write
// nothing twice (the messages' dedupe keys).
//
// Each step is idempotent per business date and shard: a finished step is recorded in job_runs
// and skipped on a rerun (and re-running it would change nothing anyway), and an interrupted step
// resumes after the last committed batch (the cursor is saved in the batch's own transaction).
// --dry-run runs everything in one transaction that is rolled back: the same summary, nothing
// written. --shard k/n processes the customers with ShardOf(customer_id, n) == k only.
//
// One run at a time per date and shard, on any number of nodes: a real run first takes the
// lease of its date and shard (job_leases, migration 0009), renews it after every batch and
// releases it when it returns; a second run meanwhile is refused with kInvalidState naming the
// holder. A crashed holder's lease expires after kJobLeaseUs and the next run resumes. A step's
// counts are saved with its cursor, so a resumed run reports the totals of the whole date (the
// steps finished before count as well, marked "done earlier"). When every step is done, a row
// of step kJobRunStep ("run") records the whole run: what `jobs daily` catch-up, `jobs status`
// and /metrics read. A dry run takes no lease and records nothing.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/business_time.h"
#include "core/clock.h"
#include "core/coupons.h"
#include "core/ledger.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct JobProgress {
  std::string step;
  int64_t done = 0;
  int64_t total = 0;  // 0 = unknown
};

struct DailyJobOptions {
  LocalDate date;
  bool dry_run = false;
  int shard = 0;
  int shards = 1;
  int batch_size = 2000;  // items looked at per transaction (and page size)
  std::function<void(const JobProgress&)> on_progress;  // called after every batch
  // Fault injection for tests: fail with kUnavailable after this many committed batches of a
  // step (0 = never), as a crash would, leaving the cursor of the last committed batch.
  int fail_after_batches = 0;
  // Coupon codes for promotion and birthday coupons (the CLI passes getrandom). Without one a
  // programme whose tiers name coupons fails those items (reported, not retried).
  RandomSource* random = nullptr;
  std::string holder;  // the lease holder; "" = DefaultJobHolder()
  // A date of a shop's past replayed by `loyalty import` (ctx.history): activate and expire as
  // every day, spend and tiers on evaluation dates only (nothing else can move a tier in the
  // job), and none of the steps that send or give something (coupons, birthdays, messages).
  bool history = false;
};

// host:pid:random, unique per process and call.
std::string DefaultJobHolder();

struct StepSummary {
  std::string step;
  bool skipped = false;  // already done for this date and shard (the counts are that run's)
  int64_t scanned = 0;
  int64_t changed = 0;  // items changed (message steps: see the step list above)
  int64_t failed = 0;   // items whose command failed (reported, not retried)
  double seconds = 0;
};

struct DailySummary {
  LocalDate date;
  std::vector<StepSummary> steps;
  std::map<std::pair<std::string, std::string>, int64_t> tier_moves;  // (from, to) -> count
  std::vector<std::string> errors;  // first few item failures, for the operator
  bool resumed = false;             // an earlier run of this date and shard had recorded steps
  bool already_done = false;        // the whole date was done before: nothing ran
  Points points_expired = 0;        // by the expire step, this run and earlier ones
  JobTally tally;  // points activated, coupons issued, messages by type: this run and earlier
  int64_t Failed() const {  // items that failed, over every step
    int64_t n = 0;
    for (const StepSummary& st : steps) n += st.failed;
    return n;
  }
  std::string ToText() const;
  std::string ToJson() const;  // one object (docs/operations.md, "jobs daily --json")
};

class DailyJob {
 public:
  DailyJob(Store& store, const Program& program, const Clock& clock)
      : store_(store), program_(program), clock_(clock) {}

  // Validates the date (not in the future, not before the programme's effective date) and runs
  // the steps. Stops at the first environment failure (kUnavailable...) so a rerun resumes.
  Result<DailySummary> Run(const DailyJobOptions& options);

 private:
  Result<DailySummary> Finish(Session& s, DailySummary& summary, const JobLease& lease,
                              const DailyJobOptions& o, Micros now_us);
  Store& store_;
  const Program& program_;
  const Clock& clock_;
};

}  // namespace loyalty
