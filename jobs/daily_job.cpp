#include "jobs/daily_job.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>

#include "core/consent.h"
#include "core/json_writer.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/messaging.h"
#include "core/shard.h"
#include "core/tiers.h"

namespace loyalty {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The counts saved with a step's cursor (job_runs.summary_json), read back by a resumed run.
// Flat on purpose: numbers, and the tier moves as "FROM>TO=N,..." (tier codes hold no ">=,").
int64_t SavedInt(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = json.find(needle);
  if (at == std::string::npos) return 0;
  return std::strtoll(json.c_str() + at + needle.size(), nullptr, 10);
}

std::string SavedText(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  const size_t from = at + needle.size();
  const size_t to = json.find('"', from);
  return to == std::string::npos ? "" : json.substr(from, to - from);
}

using TierMoves = std::map<std::pair<std::string, std::string>, int64_t>;

// Messages by type as "type=N,..." (message types are [a-z_]).
std::string EncodeCounts(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [key, n] : counts) {
    if (n == 0) continue;
    if (!out.empty()) out += ",";
    out += key + "=" + std::to_string(n);
  }
  return out;
}

void DecodeCounts(const std::string& text, std::map<std::string, int64_t>& counts) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq != std::string::npos && eq > 0) {
      counts[item.substr(0, eq)] += std::strtoll(item.c_str() + eq + 1, nullptr, 10);
    }
    pos = end + 1;
  }
}

// What a step added to the tally: now minus at its start.
JobTally TallySince(const JobTally& now, const JobTally& start) {
  JobTally d;
  d.points_activated = now.points_activated - start.points_activated;
  d.coupons_issued = now.coupons_issued - start.coupons_issued;
  d.messages_suppressed = now.messages_suppressed - start.messages_suppressed;
  for (const auto& [type, n] : now.messages) {
    auto it = start.messages.find(type);
    const int64_t delta = n - (it == start.messages.end() ? 0 : it->second);
    if (delta != 0) d.messages[type] = delta;
  }
  return d;
}

// The tier moves as counts keyed "FROM>TO" (tier codes hold no ">=,").
std::string EncodeMoves(const TierMoves& moves) {
  std::map<std::string, int64_t> counts;
  for (const auto& [move, n] : moves) counts[move.first + ">" + move.second] = n;
  return EncodeCounts(counts);
}

void DecodeMoves(const std::string& text, TierMoves& moves) {
  std::map<std::string, int64_t> counts;
  DecodeCounts(text, counts);
  for (const auto& [key, n] : counts) {
    const size_t gt = key.find('>');
    if (gt != std::string::npos) moves[{key.substr(0, gt), key.substr(gt + 1)}] += n;
  }
}

// One page of a step: the keys that need processing, how many items were looked at, and the
// cursor to continue after (the last item looked at, processed or not).
struct Page {
  std::vector<std::string> keys;
  int64_t scanned = 0;
  std::string cursor;
};

Page AllKeys(std::vector<std::string> keys) {
  Page p;
  p.scanned = static_cast<int64_t>(keys.size());
  if (!keys.empty()) p.cursor = keys.back();
  p.keys = std::move(keys);
  return p;
}

// What one step does: list the next page after a cursor, and process one key.
struct StepDef {
  std::string name;
  std::function<Result<Page>(Session&, const std::string& after)> next_page;
  // Returns how many things the item changed (0 or 1 for most steps; the messages written by
  // the lifecycle step). The step's `changed` is the sum.
  std::function<Result<int64_t>(Session&, const std::string& key)> process;
  int64_t total = 0;
};

// Most steps change one thing per item or nothing.
Result<int64_t> OneIf(Result<bool> changed) {
  if (!changed.ok()) return changed.status();
  return *changed ? int64_t{1} : int64_t{0};
}

class Runner {
 public:
  Runner(Session& s, const Program& p, const DailyJobOptions& o, DailySummary& summary,
         Micros now_us, std::function<Status()> renew)
      : s_(s), p_(p), o_(o), summary_(summary), now_us_(now_us), renew_(std::move(renew)) {}

  // Runs a paged step: batches of keys, each batch in one transaction (real run) with the
  // cursor saved in it. In a dry run the caller holds one transaction for everything.
  Status RunPaged(const StepDef& def) {
    StepSummary st;
    st.step = def.name;
    auto t0 = std::chrono::steady_clock::now();
    const JobTally at_start = summary_.tally;
    JobRun run;
    if (!o_.dry_run) {
      LOYALTY_ASSIGN_OR_RETURN(std::optional<JobRun> prior, LoadRun(def.name));
      if (prior) Restore(*prior, st);
      if (prior && prior->status == "done") {
        st.skipped = true;
        summary_.steps.push_back(st);
        return Status::Ok();
      }
      run = prior ? *prior : NewRun(def.name);
    }
    std::string cursor = run.cursor;
    int batches = 0;
    for (;;) {
      if (!o_.dry_run) LOYALTY_RETURN_IF_ERROR(s_.Begin());
      auto page = def.next_page(s_, cursor);
      if (!page.ok()) return Abort(page.status());
      st.scanned += page->scanned;
      for (const std::string& key : page->keys) {
        LOYALTY_RETURN_IF_ERROR(s_.Savepoint());
        const JobTally before = summary_.tally;
        auto changed = def.process(s_, key);
        if (changed.ok()) {
          LOYALTY_RETURN_IF_ERROR(s_.ReleaseSavepoint());
          st.changed += *changed;
        } else {
          LOYALTY_RETURN_IF_ERROR(s_.RollbackToSavepoint());
          summary_.tally = before;  // what the rolled-back command counted did not happen
          if (changed.status().code() == Code::kUnavailable ||
              changed.status().code() == Code::kRetry) {
            return Abort(changed.status());
          }
          ++st.failed;
          if (summary_.errors.size() < 20) {
            summary_.errors.push_back(def.name + " " + key + ": " + changed.status().ToString());
          }
        }
      }
      if (page->scanned > 0) cursor = page->cursor;
      bool last = page->scanned < o_.batch_size;
      if (!o_.dry_run) {
        run.cursor = cursor;
        run.summary_json = Counts(def.name, st, at_start);
        if (last) Finish(run, st, at_start);
        LOYALTY_RETURN_IF_ERROR(s_.UpsertJobRun(run));
        LOYALTY_RETURN_IF_ERROR(s_.Commit());
        LOYALTY_RETURN_IF_ERROR(renew_());
      }
      ++batches;
      if (o_.on_progress) o_.on_progress({def.name, st.scanned, def.total});
      if (last) break;
      if (o_.fail_after_batches > 0 && batches >= o_.fail_after_batches) {
        return Status(Code::kUnavailable, "fault injected after " + std::to_string(batches) +
                                              " batches of " + def.name);
      }
    }
    st.seconds = SecondsSince(t0);
    summary_.steps.push_back(st);
    return Status::Ok();
  }

  // A step that is one statement (spend): done in one transaction.
  Status RunOnce(const std::string& name, const std::function<Result<int64_t>(Session&)>& fn) {
    StepSummary st;
    st.step = name;
    auto t0 = std::chrono::steady_clock::now();
    JobRun run;
    if (!o_.dry_run) {
      LOYALTY_ASSIGN_OR_RETURN(std::optional<JobRun> prior, LoadRun(name));
      if (prior && prior->status == "done") {
        Restore(*prior, st);
        st.skipped = true;
        summary_.steps.push_back(st);
        return Status::Ok();
      }
      run = prior ? *prior : NewRun(name);
      LOYALTY_RETURN_IF_ERROR(s_.Begin());
    }
    auto n = fn(s_);
    if (!n.ok()) return Abort(n.status());
    st.scanned = st.changed = *n;
    if (!o_.dry_run) {
      Finish(run, st, summary_.tally);
      LOYALTY_RETURN_IF_ERROR(s_.UpsertJobRun(run));
      LOYALTY_RETURN_IF_ERROR(s_.Commit());
      LOYALTY_RETURN_IF_ERROR(renew_());
    }
    st.seconds = SecondsSince(t0);
    if (o_.on_progress) o_.on_progress({name, st.scanned, st.scanned});
    summary_.steps.push_back(st);
    return Status::Ok();
  }

 private:
  Result<std::optional<JobRun>> LoadRun(const std::string& step) {
    return s_.FindJobRun(ToDateKey(o_.date), step, o_.shard, o_.shards);
  }
  JobRun NewRun(const std::string& step) const {
    JobRun r;
    r.business_date = ToDateKey(o_.date);
    r.step = step;
    r.shard = o_.shard;
    r.shards = o_.shards;
    r.status = "running";
    r.started_at_us = now_us_;
    return r;
  }
  void Finish(JobRun& run, const StepSummary& st, const JobTally& at_start) const {
    run.status = "done";
    run.finished_at_us = now_us_;
    run.summary_json = Counts(run.step, st, at_start);
  }
  // The step's counts so far (this run and the earlier ones of the date), saved with its cursor.
  std::string Counts(const std::string& step, const StepSummary& st,
                     const JobTally& at_start) const {
    JsonWriter w;
    w.Int("scanned", st.scanned).Int("changed", st.changed).Int("failed", st.failed);
    const JobTally d = TallySince(summary_.tally, at_start);
    if (d.points_activated != 0) w.Int("activated", d.points_activated);
    if (d.coupons_issued != 0) w.Int("coupons", d.coupons_issued);
    if (!d.messages.empty()) w.Str("messages", EncodeCounts(d.messages));
    if (d.messages_suppressed != 0) w.Int("suppressed", d.messages_suppressed);
    if (step == "tiers") w.Str("moves", EncodeMoves(summary_.tier_moves));
    if (step == "expire") w.Int("points", summary_.points_expired);
    return w.Finish();
  }
  // A step an earlier run of the date recorded: its counts are part of the date's totals.
  void Restore(const JobRun& prior, StepSummary& st) {
    summary_.resumed = true;
    st.scanned = SavedInt(prior.summary_json, "scanned");
    st.changed = SavedInt(prior.summary_json, "changed");
    st.failed = SavedInt(prior.summary_json, "failed");
    if (prior.step == "tiers")
      DecodeMoves(SavedText(prior.summary_json, "moves"), summary_.tier_moves);
    if (prior.step == "expire") summary_.points_expired += SavedInt(prior.summary_json, "points");
    summary_.tally.points_activated += SavedInt(prior.summary_json, "activated");
    summary_.tally.coupons_issued += SavedInt(prior.summary_json, "coupons");
    summary_.tally.messages_suppressed += SavedInt(prior.summary_json, "suppressed");
    DecodeCounts(SavedText(prior.summary_json, "messages"), summary_.tally.messages);
  }
  Status Abort(const Status& st) {
    if (!o_.dry_run) s_.Rollback();
    return st;
  }

  Session& s_;
  const Program& p_;
  const DailyJobOptions& o_;
  DailySummary& summary_;
  Micros now_us_;
  std::function<Status()> renew_;
};

bool InShard(const std::string& customer_id, const DailyJobOptions& o) {
  return o.shards <= 1 || ShardOf(customer_id, o.shards) == o.shard;
}

// The nudges step's cheap pre-filter over a standing (window spend as recomputed by the spend
// step): could NudgeTier write anything for this customer? Generous on purpose; NudgeTier
// decides for real under the customer's lock (ComputeProgress).
//  - tier_near: a next tier exists and the spend gap to it is positive and within within_won or
//    within_bp of its threshold. Spend that changed since the spend step (orders confirmed or
//    refunded today) is seen tomorrow; the nudge's dedupe is per month.
//  - tier_at_risk (risk_eval set: the next evaluation date is within tier_at_risk_days of D):
//    a downgradable tier above the entry tier that retention does not protect on that date.
//    Not filtered by spend: the evaluation date's window may have lost spend D's still has.
bool MayNudge(const Program& p, const TriggerSettings* near,
              const std::optional<LocalDate>& risk_eval, const TierStanding& t) {
  const size_t idx = TierIndex(p, t.tier);
  if (near != nullptr && idx + 1 < p.tiers.size()) {
    const Won threshold = p.tiers[idx + 1].threshold_won;
    if (WithinNudgeDistance(*near, threshold - t.window_spend_won, threshold)) return true;
  }
  if (!risk_eval || idx == 0 || !p.tiers[idx].downgradable) return false;
  return !(*risk_eval < RetainedUntil(p, t.tier_since_us));
}

}  // namespace

std::string DefaultJobHolder() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  std::random_device rd;
  char tail[16];
  std::snprintf(tail, sizeof tail, "%08x", static_cast<unsigned>(rd()));
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + tail;
}

std::string DailySummary::ToText() const {
  std::string out = "daily job for " + FormatLocalDate(date);
  if (already_done) {
    out += " (already done: the counts of that run)";
  } else if (resumed) {
    out += " (resumed: totals for the whole date)";
  }
  out += "\n";
  char line[160];
  for (const StepSummary& s : steps) {
    if (s.skipped) {
      std::snprintf(line, sizeof line,
                    "  %-17s %10lld scanned %10lld changed %6lld failed   done earlier\n",
                    s.step.c_str(), static_cast<long long>(s.scanned),
                    static_cast<long long>(s.changed), static_cast<long long>(s.failed));
    } else {
      std::snprintf(line, sizeof line,
                    "  %-17s %10lld scanned %10lld changed %6lld failed %8.2f s\n", s.step.c_str(),
                    static_cast<long long>(s.scanned), static_cast<long long>(s.changed),
                    static_cast<long long>(s.failed), s.seconds);
    }
    out += line;
  }
  if (tier_moves.empty()) out += "  tier moves: none\n";
  for (const auto& [move, n] : tier_moves) {
    std::snprintf(line, sizeof line, "  tier move %s -> %s: %lld\n", move.first.c_str(),
                  move.second.c_str(), static_cast<long long>(n));
    out += line;
  }
  if (tally.points_activated > 0) {
    out += "  points activated: " + std::to_string(tally.points_activated) + "\n";
  }
  if (points_expired > 0) {
    out += "  points expired: " + std::to_string(points_expired) + "\n";
  }
  if (tally.coupons_issued > 0) {
    out += "  coupons issued: " + std::to_string(tally.coupons_issued) + "\n";
  }
  for (const auto& [type, n] : tally.messages) {
    std::snprintf(line, sizeof line, "  messages %-24s %8lld\n", type.c_str(),
                  static_cast<long long>(n));
    out += line;
  }
  if (tally.messages_suppressed > 0) {
    out += "  of which suppressed: " + std::to_string(tally.messages_suppressed) + "\n";
  }
  for (const std::string& e : errors) out += "  error: " + e + "\n";
  return out;
}

std::string DailySummary::ToJson() const {
  std::string steps_json = "[";
  for (const StepSummary& s : steps) {
    if (steps_json.size() > 1) steps_json += ",";
    steps_json += JsonWriter()
                      .Str("step", s.step)
                      .Bool("done_earlier", s.skipped)
                      .Int("scanned", s.scanned)
                      .Int("changed", s.changed)
                      .Int("failed", s.failed)
                      .Finish();
  }
  steps_json += "]";
  std::string moves = "[";
  for (const auto& [move, n] : tier_moves) {
    if (moves.size() > 1) moves += ",";
    moves += JsonWriter().Str("from", move.first).Str("to", move.second).Int("count", n).Finish();
  }
  moves += "]";
  std::string errs = "[";
  for (const std::string& e : errors) {
    if (errs.size() > 1) errs += ",";
    errs += JsonWriter::Quote(e);
  }
  errs += "]";
  JsonWriter messages;
  for (const auto& [type, n] : tally.messages) messages.Int(type, n);
  return JsonWriter()
      .Str("date", FormatLocalDate(date))
      .Bool("resumed", resumed)
      .Bool("already_done", already_done)
      .Raw("steps", steps_json)
      .Raw("tier_moves", moves)
      .Int("points_activated", tally.points_activated)
      .Int("points_expired", points_expired)
      .Int("coupons_issued", tally.coupons_issued)
      .Raw("messages", messages.Finish())
      .Int("messages_suppressed", tally.messages_suppressed)
      .Int("failed", Failed())
      .Raw("errors", errs)
      .Finish();
}

// The row of the whole run (what catch-up, `jobs status` and /metrics read), then the summary.
Result<DailySummary> DailyJob::Finish(Session& s, DailySummary& summary, const JobLease& lease,
                                      const DailyJobOptions& o, Micros now_us) {
  if (!o.dry_run && !summary.already_done) {
    // The whole run: started when this attempt did, so its duration is this attempt's.
    JobRun whole;
    whole.business_date = lease.business_date;
    whole.step = kJobRunStep;
    whole.shard = o.shard;
    whole.shards = o.shards;
    whole.status = "done";
    whole.started_at_us = now_us;
    whole.finished_at_us = std::max(now_us, clock_.NowMicros());
    whole.summary_json = JsonWriter()
                             .Str("holder", lease.holder)
                             .Bool("resumed", summary.resumed)
                             .Bool("history", o.history)
                             .Int("program_version", program_.version)
                             .Int("failed", summary.Failed())
                             .Finish();
    LOYALTY_RETURN_IF_ERROR(s.UpsertJobRun(whole));
  }
  return std::move(summary);
}

Result<DailySummary> DailyJob::Run(const DailyJobOptions& o) {
  const Micros now_us = clock_.NowMicros();
  const LocalDate today = BusinessDate(now_us, program_.time_zone);
  if (o.date > today) {
    return Status::Invalid("--date", FormatLocalDate(o.date) + " is in the future (today is " +
                                         FormatLocalDate(today) + " in " + program_.time_zone +
                                         ")");
  }
  if (!program_.effective_date.empty() && FormatLocalDate(o.date) < program_.effective_date) {
    return Status::Invalid("--date", "programme version " + std::to_string(program_.version) +
                                         " takes effect on " + program_.effective_date +
                                         "; run this date with the version then in force");
  }
  if (o.shards < 1 || o.shard < 0 || o.shard >= o.shards) {
    return Status::Invalid("--shard", "must be k/n with 0 <= k < n");
  }
  // T: the end of D, or now if D is today. Nothing expires or activates before its time.
  const Micros t_us = std::min(now_us, StartOfDay(AddDays(o.date, 1), program_.time_zone));
  DailySummary summary;
  summary.date = o.date;
  const Ctx ctx{program_, t_us, Actor{"daily", "jobs"}, o.random, &summary.tally, o.history};

  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store_.OpenSession());

  // A day of an imported history with nothing due (no evaluation, nothing to activate or
  // expire, the common case) is only recorded: an import replays hundreds of such days.
  if (o.history && !o.dry_run && !IsEvaluationDate(program_.tiering, o.date)) {
    bool due = false;
    if (program_.pending_mode == PendingMode::kDays ||
        program_.pending_mode == PendingMode::kConfirmationOrDays) {
      const Micros placed_before = t_us - int64_t{program_.pending_days} * kDayUs + 1;
      LOYALTY_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                               s->OrdersAwaitingActivation(placed_before, "", 1));
      due = !ids.empty();
    }
    if (!due) {
      LOYALTY_ASSIGN_OR_RETURN(std::vector<std::string> ids, s->CustomersWithDueLots(t_us, "", 1));
      due = !ids.empty();
    }
    if (!due) {
      LOYALTY_ASSIGN_OR_RETURN(std::optional<JobRun> whole,
                               s->FindJobRun(ToDateKey(o.date), kJobRunStep, o.shard, o.shards));
      summary.already_done = whole && whole->status == "done";
      JobLease none;
      none.business_date = ToDateKey(o.date);
      none.holder = o.holder.empty() ? DefaultJobHolder() : o.holder;
      return Finish(*s, summary, none, o, now_us);
    }
  }

  // The lease, on a session of its own so that taking and renewing it commit at once (between
  // batches: the job's session holds no transaction then).
  std::unique_ptr<Session> lease_session;
  JobLease lease;
  lease.business_date = ToDateKey(o.date);
  lease.shard = o.shard;
  lease.shards = o.shards;
  lease.holder = o.holder.empty() ? DefaultJobHolder() : o.holder;
  lease.acquired_at_us = now_us;
  if (!o.dry_run) {
    LOYALTY_ASSIGN_OR_RETURN(lease_session, store_.OpenSession());
    lease.expires_at_us = now_us + kJobLeaseUs;
    LOYALTY_ASSIGN_OR_RETURN(JobLease held, lease_session->AcquireJobLease(lease, now_us));
    if (held.holder != lease.holder) {
      return Status(Code::kInvalidState, "the daily job for " + FormatLocalDate(o.date) +
                                             " shard " + std::to_string(o.shard) + "/" +
                                             std::to_string(o.shards) + " is in progress on " +
                                             held.holder + " since " +
                                             FormatInstant(held.acquired_at_us) + " (lease until " +
                                             FormatInstant(held.expires_at_us) + ")");
    }
  }
  struct LeaseGuard {
    Session* s;
    const JobLease& lease;
    ~LeaseGuard() {
      if (s != nullptr) (void)s->ReleaseJobLease(lease);
    }
  } lease_guard{lease_session.get(), lease};
  auto renew = [&]() -> Status {
    if (lease_session == nullptr) return Status::Ok();
    JobLease next = lease;
    next.expires_at_us = clock_.NowMicros() + kJobLeaseUs;
    LOYALTY_ASSIGN_OR_RETURN(JobLease held, lease_session->AcquireJobLease(next, now_us));
    if (held.holder != lease.holder) {
      // Expired and taken over (this run stalled longer than the lease): stop, the other run
      // continues from the last committed batch.
      return Status(Code::kUnavailable, "the lease of the daily job for " +
                                            FormatLocalDate(o.date) + " was taken over by " +
                                            held.holder);
    }
    return Status::Ok();
  };
  if (!o.dry_run) {
    LOYALTY_ASSIGN_OR_RETURN(std::optional<JobRun> whole,
                             s->FindJobRun(lease.business_date, kJobRunStep, o.shard, o.shards));
    summary.already_done = whole && whole->status == "done";
  }
  Runner runner(*s, program_, o, summary, now_us, renew);
  if (o.dry_run) LOYALTY_RETURN_IF_ERROR(s->Begin());
  struct RollbackGuard {
    Session& s;
    bool active;
    ~RollbackGuard() {
      if (active) s.Rollback();
    }
  } guard{*s, o.dry_run};

  const bool days_mode = program_.pending_mode == PendingMode::kDays ||
                         program_.pending_mode == PendingMode::kConfirmationOrDays;
  if (days_mode) {
    const Micros placed_before = t_us - int64_t{program_.pending_days} * kDayUs + 1;
    StepDef activate{"activate",
                     [&](Session& ss, const std::string& after) -> Result<Page> {
                       LOYALTY_ASSIGN_OR_RETURN(
                           std::vector<std::string> ids,
                           ss.OrdersAwaitingActivation(placed_before, after, o.batch_size));
                       return AllKeys(std::move(ids));
                     },
                     [&](Session& ss, const std::string& order_id) -> Result<int64_t> {
                       if (o.shards > 1) {
                         LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> ord, ss.FindOrder(order_id));
                         if (!ord || !InShard(ord->customer_id, o)) return 0;
                       }
                       return OneIf(ActivateIfMatured(ss, order_id, ctx));
                     }};
    LOYALTY_RETURN_IF_ERROR(runner.RunPaged(activate));
  }

  StepDef expire{"expire",
                 [&](Session& ss, const std::string& after) -> Result<Page> {
                   LOYALTY_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                                            ss.CustomersWithDueLots(t_us, after, o.batch_size));
                   return AllKeys(std::move(ids));
                 },
                 [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
                   if (!InShard(customer_id, o)) return 0;
                   LOYALTY_ASSIGN_OR_RETURN(Points n, ExpireDueLots(ss, customer_id, ctx));
                   summary.points_expired += n;
                   return n > 0 ? 1 : 0;
                 }};
  LOYALTY_RETURN_IF_ERROR(runner.RunPaged(expire));

  if (o.history && !IsEvaluationDate(program_.tiering, o.date)) {
    return Finish(*s, summary, lease, o, now_us);
  }
  const Window w = WindowFor(program_.tiering, o.date);
  LOYALTY_RETURN_IF_ERROR(runner.RunOnce("spend", [&](Session& ss) {
    return ss.RecomputeWindowSpend(w.start, w.end, ToDateKey(o.date), o.shard, o.shards);
  }));

  // Tiers: decide from the recomputed window spend; re-decide and apply under the customer's
  // lock (EvaluateTier sums the records again, so a concurrent order cannot be missed).
  LOYALTY_ASSIGN_OR_RETURN(int64_t customers, s->CountCustomers());
  StepDef tiers{
      "tiers",
      [&](Session& ss, const std::string& after) -> Result<Page> {
        LOYALTY_ASSIGN_OR_RETURN(std::vector<TierStanding> standings,
                                 ss.ListStandings(after, o.batch_size, o.shard, o.shards));
        Page page;
        page.scanned = static_cast<int64_t>(standings.size());
        if (!standings.empty()) page.cursor = standings.back().customer_id;
        for (const TierStanding& t : standings) {
          TierDecision d = DecideTier(program_, o.date, t.tier, t.tier_since_us, t.window_spend_won,
                                      t.window_orders);
          if (d.kind != TierDecision::Kind::kKeep) page.keys.push_back(t.customer_id);
        }
        return page;
      },
      [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
        LOYALTY_ASSIGN_OR_RETURN(TierDecision d, EvaluateTier(ss, customer_id, o.date, ctx));
        if (d.kind == TierDecision::Kind::kKeep) return 0;
        ++summary.tier_moves[{program_.tiers[d.from].code, program_.tiers[d.to].code}];
        return 1;
      },
      customers};
  LOYALTY_RETURN_IF_ERROR(runner.RunPaged(tiers));
  if (o.history) return Finish(*s, summary, lease, o, now_us);

  const Micros warn_until_us = t_us + int64_t{program_.coupons.expiring_soon_days} * kDayUs;
  StepDef coupons{
      "coupons",
      [&](Session& ss, const std::string& after) -> Result<Page> {
        LOYALTY_ASSIGN_OR_RETURN(std::vector<Coupon> due,
                                 ss.ListActiveCouponsEndingBy(warn_until_us, after, o.batch_size));
        Page page;
        page.scanned = static_cast<int64_t>(due.size());
        if (!due.empty()) page.cursor = due.back().code;
        for (const Coupon& c : due) {
          // Unassigned codes belong to shard 0.
          const bool mine = c.customer_id.empty() ? o.shard == 0 : InShard(c.customer_id, o);
          const bool due_now = c.valid_until_us <= t_us;
          if (mine && (due_now || !c.expiring_notified)) page.keys.push_back(c.code);
        }
        return page;
      },
      [&](Session& ss, const std::string& code) -> Result<int64_t> {
        return OneIf(ExpireOrWarnCoupon(ss, code, ctx));
      }};
  LOYALTY_RETURN_IF_ERROR(runner.RunPaged(coupons));

  StepDef birthdays{"birthdays",
                    [&](Session& ss, const std::string& after) -> Result<Page> {
                      LOYALTY_ASSIGN_OR_RETURN(
                          std::vector<std::string> ids,
                          ss.CustomersBornInMonth(o.date.month, after, o.batch_size));
                      return AllKeys(std::move(ids));
                    },
                    [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
                      if (!InShard(customer_id, o)) return 0;
                      return OneIf(IssueBirthdayCoupon(ss, customer_id, o.date, ctx));
                    }};
  LOYALTY_RETURN_IF_ERROR(runner.RunPaged(birthdays));

  // ---- messages (docs/messages.md): after the tier and coupon steps, so that a nudge speaks
  // of the tier the customer holds today and the points that are really left. A step whose
  // triggers are all off does not run and is not recorded (like activate outside the days
  // modes), so a programme version that switches one on can still run it for the same date.
  const MessagingSettings& msg = program_.messaging;
  const TriggerSettings* near = msg.Enabled(kMsgTierNear);
  const TriggerSettings* at_risk = msg.Enabled(kMsgTierAtRisk);
  if (near != nullptr || at_risk != nullptr) {
    // The evaluation date a tier_at_risk nudge would speak of, when D is within
    // tier_at_risk_days of it.
    std::optional<LocalDate> risk_eval;
    const LocalDate next_eval = NextEvaluationDate(program_.tiering, o.date);
    if (at_risk != nullptr && next_eval <= AddDays(o.date, msg.tier_at_risk_days)) {
      risk_eval = next_eval;
    }
    StepDef nudges{"nudges",
                   [&](Session& ss, const std::string& after) -> Result<Page> {
                     LOYALTY_ASSIGN_OR_RETURN(
                         std::vector<TierStanding> standings,
                         ss.ListStandings(after, o.batch_size, o.shard, o.shards));
                     Page page;
                     page.scanned = static_cast<int64_t>(standings.size());
                     if (!standings.empty()) page.cursor = standings.back().customer_id;
                     for (const TierStanding& t : standings) {
                       if (MayNudge(program_, near, risk_eval, t)) {
                         page.keys.push_back(t.customer_id);
                       }
                     }
                     return page;
                   },
                   [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
                     return OneIf(NudgeTier(ss, customer_id, o.date, ctx));
                   },
                   customers};
    LOYALTY_RETURN_IF_ERROR(runner.RunPaged(nudges));
  }

  const TriggerSettings* expiring = msg.Enabled(kMsgPointsExpiring);
  if (expiring != nullptr && !expiring->stages.empty()) {
    const int32_t max_stage = *std::max_element(expiring->stages.begin(), expiring->stages.end());
    // Lots whose last valid day is at most max_stage days after D: up to the end of D +
    // max_stage (not T + max_stage, which falls short of it when D is today).
    const Micros notice_until_us = StartOfDay(AddDays(o.date, max_stage + 1), program_.time_zone);
    StepDef notices{
        "expiry_notices",
        [&](Session& ss, const std::string& after) -> Result<Page> {
          LOYALTY_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                                   ss.CustomersWithDueLots(notice_until_us, after, o.batch_size));
          Page page = AllKeys(std::move(ids));
          std::erase_if(page.keys, [&](const std::string& id) { return !InShard(id, o); });
          return page;
        },
        [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
          return OneIf(NotifyExpiringPoints(ss, customer_id, o.date, ctx));
        }};
    LOYALTY_RETURN_IF_ERROR(runner.RunPaged(notices));
  }

  bool any_lifecycle = false;
  for (const char* type :
       {kMsgFirstPurchaseReminder, kMsgReviewRequest, kMsgRepurchaseReminder, kMsgWinback}) {
    any_lifecycle = any_lifecycle || msg.Enabled(type) != nullptr;
  }
  if (any_lifecycle) {
    // The activities of the current page, by customer id: process() gets only the key. They
    // were read in the batch's own transaction, just before (RunLifecycle locks the customer
    // and the dedupe keys make a second write impossible).
    std::map<std::string, CustomerActivity> activities;
    StepDef lifecycle{"lifecycle",
                      [&](Session& ss, const std::string& after) -> Result<Page> {
                        LOYALTY_ASSIGN_OR_RETURN(
                            std::vector<CustomerActivity> page_activities,
                            ss.ListCustomerActivity(after, o.batch_size, o.shard, o.shards));
                        activities.clear();
                        Page page;
                        page.scanned = static_cast<int64_t>(page_activities.size());
                        if (!page_activities.empty()) {
                          page.cursor = page_activities.back().customer_id;
                        }
                        for (CustomerActivity& a : page_activities) {
                          if (DueLifecycle(program_, a, o.date).empty()) continue;
                          page.keys.push_back(a.customer_id);
                          activities.emplace(a.customer_id, std::move(a));
                        }
                        return page;
                      },
                      [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
                        auto it = activities.find(customer_id);
                        if (it == activities.end()) return 0;
                        return RunLifecycle(ss, it->second, o.date, ctx);
                      },
                      customers};
    LOYALTY_RETURN_IF_ERROR(runner.RunPaged(lifecycle));
  }

  // Consent confirmed two years ago or more (core/consent.h: the same month and day two years
  // before D, in the programme's zone): the reconfirmation notice, once per confirmation.
  if (msg.Enabled(kMsgConsentReconfirm) != nullptr) {
    const Micros cutoff_us = ReconfirmCutoff(o.date, program_.time_zone);
    StepDef reconfirm{
        "consent_reconfirm",
        [&](Session& ss, const std::string& after) -> Result<Page> {
          LOYALTY_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                                   ss.CustomersDueForReconfirm(cutoff_us, after, o.batch_size));
          Page page = AllKeys(std::move(ids));
          std::erase_if(page.keys, [&](const std::string& id) { return !InShard(id, o); });
          return page;
        },
        [&](Session& ss, const std::string& customer_id) -> Result<int64_t> {
          return OneIf(NotifyConsentReconfirm(ss, customer_id, o.date, ctx));
        }};
    LOYALTY_RETURN_IF_ERROR(runner.RunPaged(reconfirm));
  }
  return Finish(*s, summary, lease, o, now_us);
}

}  // namespace loyalty
