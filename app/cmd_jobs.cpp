// `loyalty jobs daily` (the daily job, jobs/daily_job.h) and `loyalty jobs simulate` (what a new
// programme would do, jobs/simulate.h).
#include <cstdio>
#include <memory>
#include <string>

#include "api/crypto.h"
#include "app/cli_progress.h"
#include "app/commands.h"
#include "app/program_codec.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "jobs/daily_job.h"
#include "jobs/simulate.h"

namespace loyalty::cli {

namespace {

// The steps in the order DailyJob::Run runs them (jobs/daily_job.h): keep the two in step.
const char* kDailyFooter =
    "Runs, for business date D (default: today in the programme's time zone), in this order:\n"
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
  std::string program = "demo";
  std::string date;  // "" = today in the programme's zone
  bool dry_run = false;
  std::string shard;  // "" = 0/1
};

struct SimulateOptions {
  DbOptions db;
  std::string program;
  std::string current = "demo";
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

int Daily(const DailyOptions& o) {
  auto program = LoadProgramFile(o.program);
  if (!program.ok()) return Fail(program.status());
  // Also --dry-run: the job runs in a transaction it rolls back, on a database that must exist.
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  auto date = DateOrToday(o.date, *program);
  if (!date.ok()) return Fail(date.status());
  DailyJobOptions opts;
  opts.date = *date;
  opts.dry_run = o.dry_run;
  opts.random = &SystemRandom::Instance();
  if (!o.shard.empty()) ParseShard(o.shard, &opts.shard, &opts.shards);
  ProgressPrinter progress;
  opts.on_progress = [&progress](const JobProgress& p) { progress(p); };
  SystemClock clock;
  DailyJob job(**store, *program, clock);
  auto summary = job.Run(opts);
  progress.EndLine();
  if (!summary.ok()) return Fail(summary.status());
  std::printf("%s%s", opts.dry_run ? "DRY RUN (nothing written)\n" : "", summary->ToText().c_str());
  return summary->errors.empty() ? kExitOk : kExitFailed;
}

int Simulate(const SimulateOptions& o) {
  auto proposed = LoadProgramFile(o.program);
  if (!proposed.ok()) return Fail(proposed.status());
  auto current = LoadProgramFile(o.current);
  if (!current.ok()) return Fail(current.status());
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
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
                  "business date YYYY-MM-DD (default: today in the\nprogramme's time zone)")
      ->type_name("D")
      ->check(DateValidator());
  cmd->add_flag("--dry-run", o->dry_run, "print the same summary and write nothing");
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
  cmd->add_option("--program", o->program, "programme JSON (default: the built-in demo programme)")
      ->type_name("FILE");
  AddDbOptions(*cmd, o->db, /*writes=*/true);
  cmd->callback([&run, o] { run = [o] { return Daily(*o); }; });
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
                  "the programme in force (default: the built-in demo programme)")
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
  AddSimulate(*jobs, run);
}

}  // namespace loyalty::cli
