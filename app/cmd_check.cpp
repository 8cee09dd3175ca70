// `loyalty check`: the ledger invariants of every customer. Only reads.
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/program_source.h"
#include "core/clock.h"
#include "core/ledger.h"

namespace loyalty::cli {

namespace {

struct CheckOptions {
  DbOptions db;
  std::string program;  // "" = the database's version in force; else it must be that one
};

int Check(const CheckOptions& o) {
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  auto stored = ProgramForCommand(**store, SystemClock().NowMicros(), o.program);
  if (!stored.ok()) return Fail(stored.status());
  const Program* program = &stored->program;
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  Status br = (*session)->BeginRead();
  if (!br.ok()) return Fail(br);
  auto report = CheckLedger(**session, *program);
  (*session)->EndRead();
  if (!report.ok()) return Fail(report.status());
  for (const std::string& p : report->problems) std::printf("PROBLEM %s\n", p.c_str());
  std::printf("%s (programme %s): %lld customers, %lld lots, %lld entries checked: %s\n",
              (*store)->Describe().c_str(), DescribeProgramVersion(stored->row).c_str(),
              static_cast<long long>(report->customers), static_cast<long long>(report->lots),
              static_cast<long long>(report->entries),
              report->problems.empty() ? "clean" : "PROBLEMS FOUND");
  return report->problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace

void AddCheckCommand(CLI::App& parent, Runner& run) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = parent.add_subcommand("check", "verify the ledger invariants of every customer");
  cmd->footer(
      "Verifies, for every customer: available = sum of live lots = sum of entries; pending\n"
      "likewise; every lot's remaining = its entries; no negative balance unless the programme\n"
      "allows one. Exit status 1 when a problem is found. Only reads: the database must exist.");
  AddDbOptions(*cmd, o->db, /*writes=*/false);
  cmd->add_option("--program", o->program,
                  "refuse unless this programme JSON is the version in force in\n"
                  "the database (the ledger follows that one)")
      ->type_name("FILE");
  cmd->callback([&run, o] { run = [o] { return Check(*o); }; });
}

}  // namespace loyalty::cli
