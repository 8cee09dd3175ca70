// `loyalty report liability --month YYYY-MM [--months N] [--format json|csv]`: the points
// liability report (core/liability.h, docs/ledger.md "Points liability"). Only reads.
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/program_source.h"
#include "core/clock.h"
#include "core/liability.h"
#include "core/limits.h"

namespace loyalty::cli {

namespace {

const char* kCommand = "loyalty report liability";

struct LiabilityOptions {
  DbOptions db;
  std::string month;
  int months = 1;
  std::string format = "json";
};

int Liability(const LiabilityOptions& o) {
  auto first = ParseLocalMonth(o.month, "--month");
  if (!first.ok()) return Usage(kCommand, first.status().ToString());
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  const Micros now_us = SystemClock().NowMicros();
  // The programme in force decides the months' zone and the value of a point.
  auto stored = RequireProgramInForce(**store, now_us);
  if (!stored.ok()) return Fail(stored.status());
  LiabilityRequest r;
  r.first = *first;
  r.months = o.months;
  r.now_us = now_us;
  Status valid = ValidateLiabilityRequest(r, stored->program);
  if (!valid.ok()) {
    return Usage(kCommand, "--" + valid.field() + ": " + valid.message());
  }
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  Status begun = (*session)->BeginRead();
  if (!begun.ok()) return Fail(begun);
  auto report = BuildLiabilityReport(**session, stored->program, r);
  (*session)->EndRead();
  if (!report.ok()) return Fail(report.status());
  const std::string out =
      o.format == "csv" ? LiabilityReportCsv(*report) : LiabilityReportJson(*report) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& parent, Runner& run) {
  auto o = std::make_shared<LiabilityOptions>();
  CLI::App* report = parent.add_subcommand("report", "accounting reports over the ledger");
  report->require_subcommand(1);

  CLI::App* liability = report->add_subcommand(
      "liability", "points issued, used, expired and outstanding, per month, in points and won");
  liability
      ->add_option("--month", o->month,
                   "the first month reported, YYYY-MM, in the programme's time\n"
                   "zone; not one that has not begun")
      ->type_name("YYYY-MM")
      ->required()
      ->check(CLI::Validator(
          [](std::string& value) {
            auto m = ParseLocalMonth(value, "--month");
            return m.ok() ? std::string() : m.status().message();
          },
          "", "month"));
  liability
      ->add_option("--months", o->months,
                   "consecutive months from --month (default 1, at most " +
                       std::to_string(kMaxReportMonths) + ")")
      ->type_name("N")
      ->check(CLI::Range(1, kMaxReportMonths).description(""));
  liability->add_option("--format", o->format, "json (default) or csv")
      ->type_name("json|csv")
      ->check(CLI::IsMember({"json", "csv"}).description(""));
  AddDbOptions(*liability, o->db, /*writes=*/false);
  liability->footer(
      "One JSON object per month ({\"months\": [...]}) or a CSV header row and one row per month,\n"
      "the same columns in the same order: the balances at the month's start and end (pending\n"
      "and available), points earned, activated, redeemed, expired, clawed back (from pending\n"
      "and from available), restored and adjusted (in and out), each also in won at the\n"
      "programme's point_value_won, and the breakage rates. The current month is reported to\n"
      "now (\"complete\": false). Every figure is summed from the ledger's entries in one read\n"
      "snapshot; definitions: docs/ledger.md, \"Points liability\". Only reads.");
  liability->callback([&run, o] { run = [o] { return Liability(*o); }; });
}

}  // namespace loyalty::cli
