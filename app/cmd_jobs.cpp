// `loyalty jobs daily` (the daily job, jobs/daily_job.h) and `loyalty jobs simulate` (what a new
// programme would do, jobs/simulate.h).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/crypto.h"
#include "app/cli_progress.h"
#include "app/commands.h"
#include "app/program_codec.h"
#include "app/program_source.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "core/limits.h"
#include "core/tiers.h"
#include "jobs/daily_job.h"
#include "jobs/simulate.h"

namespace loyalty::cli {

namespace {

// The steps in the order DailyJob::Run runs them (jobs/daily_job.h): keep the two in step.
const char* kDailyFooter =
    "Without --date: every date since the last completed one up to yesterday in the\n"
    "programme's time zone, in order (catch-up; the first run ever: yesterday). With --date D\n"
    "after a gap: refused, naming the missed dates, unless --skip-missed (recorded in job_runs\n"
    "as skipped). One run at a time per date and shard (a lease in the database); a second\n"
    "run meanwhile exits 1 naming the holder. A resumed run says so and reports the whole\n"
    "date. Runs, for each business date D, in this order:\n"
    "  1. activate        pending points whose pending period ended (programmes whose\n"
    "                     pending_mode is days or confirmation_or_days)\n"
    "  2. expire          available lots that are due\n"
    "  3. spend           recompute every customer's window spend as of D\n"
    "  4. tiers           downgrades on evaluation dates (after retention) and missed upgrades\n"
    "                     (an upgrade issues the tier's promotion coupon)\n"
    "  5. coupons         expire ended coupons; coupon.expiring_soon for those ending within\n"
    "                     coupons.expiring_soon_days (once each)\n"
    "  6. birthdays       the tier's birthday coupon to customers born in D's month (once a year)\n"
    "then the outbox messages, each step only when one of its message types is enabled:\n"
    "  7. nudges          tier_near / tier_at_risk\n"
    "  8. expiry_notices  points_expiring, for lots ending within the largest stage\n"
    "  9. lifecycle       first_purchase_reminder, review_request, repurchase_reminder, winback\n"
    "  10. consent_reconfirm  the consent_reconfirm notice to customers whose marketing\n"
    "                     consent was last confirmed on or before the same day two years before\n"
    "                     D (once per confirmation; 29 February's is due on 28 February)\n"
    "Nothing expires or activates before its time (the end of D, or now when D is today). Each\n"
    "step is idempotent per date and shard (recorded in job_runs) and resumes after a crash.\n"
    "--dry-run runs every step in one transaction that is rolled back: the same summary,\n"
    "nothing written. Exit status 1 when an item failed (the summary lists the first ones).";

struct DailyOptions {
  DbOptions db;
  std::string program;  // "" = the database's version in force; else it must be that one
  std::string date;     // "" = catch up to yesterday in the programme's zone
  bool dry_run = false;
  std::string shard;  // "" = 0/1
  bool skip_missed = false;
  bool json = false;
};

struct StatusOptions {
  DbOptions db;
  bool json = false;
  int last = 10;
};

struct SimulateOptions {
  DbOptions db;
  std::string program;
  std::string current;  // "" = the database's version in force
  std::string date;
};

// "K/N" with 0 <= K < N; false on anything else.
bool ParseShard(const std::string& text, int* k, int* n) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  auto number = [](const std::string& s, int* out) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *out = std::stoi(s);
    return true;
  };
  return number(text.substr(0, slash), k) && number(text.substr(slash + 1), n) && *n >= 1 &&
         *k < *n;
}

CLI::Validator DateValidator() {
  return CLI::Validator(
      [](std::string& value) {
        auto d = ParseLocalDate(value);
        return d.ok() ? std::string() : d.status().message();
      },
      "", "date");
}

Result<LocalDate> DateOrToday(const std::string& date, const Program& p) {
  if (date.empty()) return BusinessDate(SystemClock().NowMicros(), p.time_zone);
  return ParseLocalDate(date);  // checked by DateValidator already
}

// The programme that decides date D: the database's version in force at the end of D (or now,
// when D is today), so that a date run late is decided by the version of its day.
Result<StoredProgram> ProgramOfDate(Store& store, const std::string& date_text,
                                    const std::string& file) {
  const Micros now_us = SystemClock().NowMicros();
  LOYALTY_ASSIGN_OR_RETURN(StoredProgram now, RequireProgramInForce(store, now_us));
  LOYALTY_ASSIGN_OR_RETURN(LocalDate date, DateOrToday(date_text, now.program));
  const Micros end_us = StartOfDay(AddDays(date, 1), now.program.time_zone) - 1;
  const Micros at_us = std::min(now_us, end_us);
  LOYALTY_ASSIGN_OR_RETURN(std::optional<StoredProgram> then, FindProgramInForce(store, at_us));
  if (!then.has_value()) {
    return Status::Invalid("--date", "no programme version was in force on " +
                                         FormatLocalDate(date) + " (the versions stored take " +
                                         "effect later; `loyalty program history` lists them)");
  }
  return ProgramForCommand(store, at_us, file);
}

void PrintProgramLine(const StoredProgram& p) {
  std::printf("programme '%s' %s, effective %s\n", p.program.name.c_str(),
              DescribeProgramVersion(p.row).c_str(), FormatInstant(p.row.effective_at_us).c_str());
}

// "user@host", for the record of a skipped date.
std::string Operator() {
  const char* user = std::getenv("USER");
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(user != nullptr && *user != '\0' ? user : "unknown") + "@" + host;
}

// The dates a shard has a whole-run row for (done, or skipped on purpose).
Result<std::map<DateKey, JobRun>> WholeRuns(Store& store, int shard, int shards) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
  LOYALTY_ASSIGN_OR_RETURN(std::vector<JobRun> rows, s->ListJobRunsOfStep(kJobRunStep));
  std::map<DateKey, JobRun> out;
  for (JobRun& r : rows) {
    if (r.shard == shard && r.shards == shards) out.emplace(r.business_date, std::move(r));
  }
  return out;
}

std::string DateList(const std::vector<LocalDate>& dates) {
  std::string out;
  for (size_t i = 0; i < dates.size(); ++i) {
    if (i == 8 && dates.size() > 9) return out + ", ... (" + std::to_string(dates.size()) + ")";
    out += (i > 0 ? ", " : "") + FormatLocalDate(dates[i]);
  }
  return out;
}

// The dates `jobs daily` runs, in order, or the refusal naming the missed dates. Catch-up
// counts from the last date completed or skipped: a date before it that never ran is not
// missed again (it was decided when the later date ran).
Result<std::vector<LocalDate>> DatesToRun(const DailyOptions& o, Store& store, int shard,
                                          int shards, std::vector<LocalDate>* to_skip,
                                          std::string* nothing) {
  LOYALTY_ASSIGN_OR_RETURN(StoredProgram now,
                           RequireProgramInForce(store, SystemClock().NowMicros()));
  const LocalDate yesterday =
      AddDays(BusinessDate(SystemClock().NowMicros(), now.program.time_zone), -1);
  LOYALTY_ASSIGN_OR_RETURN(auto runs, WholeRuns(store, shard, shards));
  std::optional<LocalDate> last;
  if (!runs.empty()) last = FromDateKey(runs.rbegin()->first);
  std::vector<LocalDate> dates;
  if (o.date.empty()) {
    if (!last) {
      // The first run ever: yesterday, if a programme was in force by its end (a database whose
      // first version was applied today has nothing to run until tomorrow).
      const Micros end_us = StartOfDay(AddDays(yesterday, 1), now.program.time_zone) - 1;
      LOYALTY_ASSIGN_OR_RETURN(std::optional<StoredProgram> then,
                               FindProgramInForce(store, end_us));
      if (!then.has_value()) {
        *nothing = "nothing to do: the first programme version took effect " +
                   FormatInstant(now.row.effective_at_us) + ", after " +
                   FormatLocalDate(yesterday) + " ended; the first date runs tomorrow";
        return std::vector<LocalDate>{};
      }
      return std::vector<LocalDate>{yesterday};
    }
    for (LocalDate d = AddDays(*last, 1); !(yesterday < d); d = AddDays(d, 1)) {
      if (static_cast<int>(dates.size()) >= kMaxCatchUpDates) break;
      dates.push_back(d);
    }
    return dates;
  }
  LOYALTY_ASSIGN_OR_RETURN(LocalDate date, ParseLocalDate(o.date));
  std::vector<LocalDate> missed;
  if (last) {
    // Every missed date, however many: skipped ones are recorded, and catch-up never returns
    // to dates before the one run here.
    for (LocalDate d = AddDays(*last, 1); d < date; d = AddDays(d, 1)) missed.push_back(d);
  }
  if (!missed.empty() && !o.skip_missed) {
    return Status::Invalid("--date", "not run since " + FormatLocalDate(*last) + ": " +
                                         DateList(missed) +
                                         " missed; run `loyalty jobs daily` without --date to "
                                         "catch up, or add --skip-missed to skip them (recorded)");
  }
  *to_skip = std::move(missed);
  return std::vector<LocalDate>{date};
}

Status RecordSkipped(Store& store, const std::vector<LocalDate>& dates, int shard, int shards) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
  const Micros now_us = SystemClock().NowMicros();
  const std::string by = Operator();
  LOYALTY_RETURN_IF_ERROR(s->Begin());
  for (const LocalDate& d : dates) {
    JobRun r;
    r.business_date = ToDateKey(d);
    r.step = kJobRunStep;
    r.shard = shard;
    r.shards = shards;
    r.status = "skipped";
    r.summary_json = JsonWriter().Str("by", by).Str("reason", "--skip-missed").Finish();
    r.started_at_us = r.finished_at_us = now_us;
    Status st = s->UpsertJobRun(r);
    if (!st.ok()) {
      s->Rollback();
      return st;
    }
  }
  return s->Commit();
}

int Daily(const DailyOptions& o) {
  // Also --dry-run: the job runs in a transaction it rolls back, on a database that must exist.
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  int shard = 0, shards = 1;
  if (!o.shard.empty()) ParseShard(o.shard, &shard, &shards);
  std::vector<LocalDate> to_skip;
  std::string nothing = "nothing to do: every date up to yesterday is done";
  auto dates = DatesToRun(o, **store, shard, shards, &to_skip, &nothing);
  if (!dates.ok()) return Fail(dates.status());
  if (dates->empty()) {
    if (o.json) {
      std::printf("%s\n", JsonWriter().Raw("dates_run", "[]").Raw("runs", "[]").Finish().c_str());
    } else {
      std::printf("%s\n", nothing.c_str());
    }
    return kExitOk;
  }
  if (o.dry_run && dates->size() > 1) dates->resize(1);  // later dates would see nothing of it
  if (!to_skip.empty() && !o.dry_run) {
    Status st = RecordSkipped(**store, to_skip, shard, shards);
    if (!st.ok()) return Fail(st);
    if (!o.json) std::printf("skipped (recorded): %s\n", DateList(to_skip).c_str());
  }
  const std::string holder = DefaultJobHolder();
  std::string runs_json = "[", dates_json = "[";
  bool failed = false;
  for (const LocalDate& date : *dates) {
    auto stored = ProgramOfDate(**store, FormatLocalDate(date), o.program);
    if (!stored.ok()) return Fail(stored.status());
    const Program* program = &stored->program;
    DailyJobOptions opts;
    opts.date = date;
    opts.dry_run = o.dry_run;
    opts.random = &SystemRandom::Instance();
    opts.holder = holder;
    opts.shard = shard;
    opts.shards = shards;
    ProgressPrinter progress;
    opts.on_progress = [&progress](const JobProgress& p) { progress(p); };
    SystemClock clock;
    DailyJob job(**store, *program, clock);
    auto summary = job.Run(opts);
    progress.EndLine();
    if (!summary.ok()) return Fail(summary.status());
    failed = failed || !summary->errors.empty();
    if (o.json) {
      if (runs_json.size() > 1) runs_json += ",";
      if (dates_json.size() > 1) dates_json += ",";
      dates_json += JsonWriter::Quote(FormatLocalDate(date));
      runs_json += JsonWriter()
                       .Int("program_version", stored->row.version)
                       .Str("program_hash", stored->row.hash)
                       .Raw("summary", summary->ToJson())
                       .Finish();
    } else {
      std::printf("%s%s", opts.dry_run ? "DRY RUN (nothing written)\n" : "",
                  summary->ToText().c_str());
      PrintProgramLine(*stored);
    }
  }
  if (o.json) {
    std::string skipped = "[";
    for (const LocalDate& d : to_skip) {
      skipped += (skipped.size() > 1 ? "," : "") + JsonWriter::Quote(FormatLocalDate(d));
    }
    skipped += "]";
    std::printf("%s\n", JsonWriter()
                            .Bool("dry_run", o.dry_run)
                            .Raw("dates_run", dates_json + "]")
                            .Raw("dates_skipped", skipped)
                            .Raw("runs", runs_json + "]")
                            .Finish()
                            .c_str());
  }
  return failed ? kExitFailed : kExitOk;
}

// `jobs status`: the last whole runs, the steps of each shard's latest date, the dates missing
// since the first run, and the leases held now.
int JobsStatus(const StatusOptions& o) {
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  Session& s = **session;
  auto runs = s.ListJobRunsOfStep(kJobRunStep);
  if (!runs.ok()) return Fail(runs.status());
  auto leases = s.ListJobLeases();
  if (!leases.ok()) return Fail(leases.status());
  const Micros now_us = SystemClock().NowMicros();
  auto in_force = FindProgramInForce(**store, now_us);
  if (!in_force.ok()) return Fail(in_force.status());
  const std::string zone = *in_force ? (*in_force)->program.time_zone : "Asia/Seoul";
  const LocalDate yesterday = AddDays(BusinessDate(now_us, zone), -1);

  std::map<std::pair<int, int>, std::map<DateKey, const JobRun*>> by_shard;
  for (const JobRun& r : *runs) by_shard[{r.shards, r.shard}][r.business_date] = &r;
  std::string text, shards_json = "[";
  for (const auto& [key, dates] : by_shard) {
    const auto [shards, shard] = key;
    std::vector<LocalDate> gaps;
    for (LocalDate d = FromDateKey(dates.begin()->first); !(yesterday < d); d = AddDays(d, 1)) {
      if (!dates.contains(ToDateKey(d))) gaps.push_back(d);
      if (static_cast<int>(gaps.size()) > kMaxCatchUpDates) break;
    }
    const std::string shard_text = std::to_string(shard) + "/" + std::to_string(shards);
    text += "shard " + shard_text + ": last " +
            FormatLocalDate(FromDateKey(dates.rbegin()->first)) + " " +
            dates.rbegin()->second->status + "; gaps since " +
            FormatLocalDate(FromDateKey(dates.begin()->first)) + ": " +
            (gaps.empty() ? "none" : DateList(gaps)) + "\n";
    std::string runs_json = "[";
    int shown = 0;
    for (auto it = dates.rbegin(); it != dates.rend() && shown < o.last; ++it, ++shown) {
      const JobRun& r = *it->second;
      const double secs = static_cast<double>(r.finished_at_us - r.started_at_us) / 1e6;
      char line[512];
      std::snprintf(line, sizeof line, "  %s  %-8s finished %s  %.1f s  %s\n",
                    FormatLocalDate(FromDateKey(r.business_date)).c_str(), r.status.c_str(),
                    FormatInstant(r.finished_at_us).c_str(), secs, r.summary_json.c_str());
      text += line;
      if (runs_json.size() > 1) runs_json += ",";
      runs_json += JsonWriter()
                       .Str("date", FormatLocalDate(FromDateKey(r.business_date)))
                       .Str("status", r.status)
                       .Str("started_at", FormatInstant(r.started_at_us))
                       .Str("finished_at", FormatInstant(r.finished_at_us))
                       .Raw("record", r.summary_json.empty() ? "{}" : r.summary_json)
                       .Finish();
    }
    runs_json += "]";
    // The steps of the latest date (a date still running has steps but no whole-run row yet).
    DateKey latest = dates.rbegin()->first;
    for (const JobLease& l : *leases) {
      if (l.shard == shard && l.shards == shards) latest = std::max(latest, l.business_date);
    }
    auto steps = s.ListJobRunsOfDate(latest, shard, shards);
    if (!steps.ok()) return Fail(steps.status());
    std::string steps_json = "[";
    text += "  steps of " + FormatLocalDate(FromDateKey(latest)) + ":";
    for (const JobRun& st : *steps) {
      if (st.step == kJobRunStep) continue;
      text += " " + st.step + "=" + st.status;
      if (steps_json.size() > 1) steps_json += ",";
      steps_json += JsonWriter()
                        .Str("step", st.step)
                        .Str("status", st.status)
                        .Raw("counts", st.summary_json.empty() ? "{}" : st.summary_json)
                        .Finish();
    }
    text += "\n";
    std::string gaps_json = "[";
    for (const LocalDate& d : gaps) {
      gaps_json += (gaps_json.size() > 1 ? "," : "") + JsonWriter::Quote(FormatLocalDate(d));
    }
    if (shards_json.size() > 1) shards_json += ",";
    shards_json += JsonWriter()
                       .Str("shard", shard_text)
                       .Raw("runs", runs_json)
                       .Raw("gaps", gaps_json + "]")
                       .Str("latest_date", FormatLocalDate(FromDateKey(latest)))
                       .Raw("latest_steps", steps_json + "]")
                       .Finish();
  }
  std::string leases_json = "[";
  if (runs->empty()) text += "no completed runs yet\n";
  for (const JobLease& l : *leases) {
    const bool expired = l.expires_at_us <= now_us;
    text += "in progress: " + FormatLocalDate(FromDateKey(l.business_date)) + " shard " +
            std::to_string(l.shard) + "/" + std::to_string(l.shards) + " on " + l.holder +
            " since " + FormatInstant(l.acquired_at_us) +
            (expired ? " (lease expired: the holder stopped; the next run resumes)" : "") + "\n";
    if (leases_json.size() > 1) leases_json += ",";
    leases_json += JsonWriter()
                       .Str("date", FormatLocalDate(FromDateKey(l.business_date)))
                       .Str("shard", std::to_string(l.shard) + "/" + std::to_string(l.shards))
                       .Str("holder", l.holder)
                       .Str("since", FormatInstant(l.acquired_at_us))
                       .Str("expires_at", FormatInstant(l.expires_at_us))
                       .Bool("expired", expired)
                       .Finish();
  }
  if (leases->empty()) text += "in progress: none\n";
  if (o.json) {
    std::printf("%s\n", JsonWriter()
                            .Raw("shards", shards_json + "]")
                            .Raw("in_progress", leases_json + "]")
                            .Finish()
                            .c_str());
  } else {
    std::printf("%s", text.c_str());
  }
  return kExitOk;
}

Result<Program> CurrentFromDatabase(Store& store) {
  LOYALTY_ASSIGN_OR_RETURN(StoredProgram in_force,
                           RequireProgramInForce(store, SystemClock().NowMicros()));
  std::printf("compared with ");
  PrintProgramLine(in_force);
  return std::move(in_force.program);
}

int Simulate(const SimulateOptions& o) {
  auto proposed = LoadProgramFile(o.program);
  if (!proposed.ok()) return Fail(proposed.status());
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  // The baseline: the database's version in force, unless --current names another on purpose.
  auto current = o.current.empty() ? CurrentFromDatabase(**store) : LoadProgramFile(o.current);
  if (!current.ok()) return Fail(current.status());
  auto date = DateOrToday(o.date, *proposed);
  if (!date.ok()) return Fail(date.status());
  auto report = SimulateProgram(**store, *current, *proposed, *date);
  if (!report.ok()) return Fail(report.status());
  std::printf("%s", report->ToText().c_str());
  return kExitOk;
}

void AddDaily(CLI::App& jobs, Runner& run) {
  auto o = std::make_shared<DailyOptions>();
  CLI::App* cmd = jobs.add_subcommand(
      "daily", "the daily job: activate, expire, spend, tiers, coupons, birthdays, messages");
  cmd->footer(kDailyFooter);
  cmd->add_option("--date", o->date,
                  "business date YYYY-MM-DD (default: every date since the last\n"
                  "completed one up to yesterday in the programme's time zone)")
      ->type_name("D")
      ->check(DateValidator());
  cmd->add_flag("--dry-run", o->dry_run,
                "print the same summary and write nothing (one date: the first\nit would run)");
  cmd->add_flag("--skip-missed", o->skip_missed,
                "with --date after a gap: record the missed dates as skipped\n(by whom, when) "
                "instead of refusing");
  cmd->add_flag("--json", o->json, "print one JSON summary instead of the text");
  cmd->add_option("--shard", o->shard, "only the customers whose stable hash falls in shard K of N")
      ->type_name("K/N")
      ->check(CLI::Validator(
          [](std::string& value) {
            int k = 0, n = 0;
            return ParseShard(value, &k, &n)
                       ? std::string()
                       : std::string("expected K/N with 0 <= K < N, e.g. 0/4");
          },
          "", "shard"));
  cmd->add_option("--program", o->program,
                  "refuse unless this programme JSON is the database's version\n"
                  "in force for D (the job always runs that one)")
      ->type_name("FILE");
  AddDbOptions(*cmd, o->db, /*writes=*/true);
  cmd->callback([&run, o] { run = [o] { return Daily(*o); }; });
}

void AddStatus(CLI::App& jobs, Runner& run) {
  auto o = std::make_shared<StatusOptions>();
  CLI::App* cmd = jobs.add_subcommand(
      "status", "the daily job's last runs per date and shard, gaps, runs in progress");
  cmd->add_flag("--json", o->json, "one JSON object instead of the text");
  cmd->add_option("--last", o->last, "runs listed per shard (default 10)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  AddDbOptions(*cmd, o->db, /*writes=*/false);
  cmd->callback([&run, o] { run = [o] { return JobsStatus(*o); }; });
}

void AddSimulate(CLI::App& jobs, Runner& run) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* cmd = jobs.add_subcommand(
      "simulate", "what a new programme would do to the tiers, writing nothing");
  cmd->footer(
      "Reports how many customers the NEW programme would move from each tier to each other\n"
      "tier, and the change in points earned, against the real ledger. Writes nothing (the\n"
      "recomputation runs in a transaction that is rolled back); the database must exist.");
  cmd->add_option("--program", o->program, "the new programme JSON")
      ->type_name("NEW.json")
      ->required();
  cmd->add_option("--current", o->current,
                  "compare with this programme JSON instead of the database's\n"
                  "version in force")
      ->type_name("FILE");
  cmd->add_option(
         "--date", o->date,
         "as of business date YYYY-MM-DD (default: today in the new\nprogramme's time zone)")
      ->type_name("D")
      ->check(DateValidator());
  AddDbOptions(*cmd, o->db, /*writes=*/false);
  cmd->callback([&run, o] { run = [o] { return Simulate(*o); }; });
}

}  // namespace

void AddJobsCommand(CLI::App& parent, Runner& run) {
  CLI::App* jobs = parent.add_subcommand("jobs", "the daily job, and what-if simulation");
  jobs->require_subcommand(1);
  AddDaily(*jobs, run);
  AddStatus(*jobs, run);
  AddSimulate(*jobs, run);
}

}  // namespace loyalty::cli
