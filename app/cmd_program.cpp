// `loyalty program check FILE | apply FILE | show [FILE] | history`: programme files, and the
// versions stored in the database (app/program_source.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/commands.h"
#include "app/config_file.h"
#include "app/program_codec.h"
#include "app/program_source.h"
#include "core/business_time.h"
#include "core/clock.h"

namespace loyalty::cli {

namespace {

struct ProgramOptions {
  DbOptions db;
  std::string file;
  std::string effective;  // "" = the file's effective_date, else now
  std::string author;     // "" = $USER, else "unknown"
  int limit = 20;
};

void PrintFileError(const std::string& file, const Status& s) {
  std::fprintf(stderr, "%s: %s%s%s\n", file.c_str(), s.field().c_str(),
               s.field().empty() ? "" : ": ", s.message().c_str());
}

int CheckFile(const std::string& file) {
  auto p = LoadProgramFile(file);
  if (!p.ok()) {
    PrintFileError(file, p.status());
    return kExitFailed;
  }
  std::printf("%s: ok (programme '%s' version %lld, %zu tiers)\n", file.c_str(), p->name.c_str(),
              static_cast<long long>(p->version), p->tiers.size());
  return kExitOk;
}

std::string AuthorOf(const ProgramOptions& o) {
  if (!o.author.empty()) return o.author;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

int Apply(const ProgramOptions& o) {
  auto p = LoadProgramFile(o.file);
  if (!p.ok()) {
    PrintFileError(o.file, p.status());
    return kExitFailed;
  }
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  SystemClock clock;
  ApplyRequest r;
  r.program = *p;
  r.author = AuthorOf(o);
  r.now_us = clock.NowMicros();
  if (!o.effective.empty()) {
    auto at = ParseEffective(o.effective, *p);
    if (!at.ok()) return Fail(at.status());
    r.effective_at_us = *at;
  }
  auto applied = ApplyProgram(**store, r);
  if (!applied.ok()) return Fail(applied.status());
  const ProgramVersion& v = applied->row;
  if (applied->unchanged) {
    std::printf("unchanged: %s is already programme %s, effective %s\n", o.file.c_str(),
                DescribeProgramVersion(v).c_str(), FormatInstant(v.effective_at_us).c_str());
    return kExitOk;
  }
  const bool now = v.effective_at_us <= r.now_us;
  std::printf("applied programme '%s' %s to %s, effective %s%s\n", p->name.c_str(),
              DescribeProgramVersion(v).c_str(), (*store)->Describe().c_str(),
              FormatInstant(v.effective_at_us).c_str(),
              now ? " (in force now: restart every `loyalty serve` node)" : " (scheduled)");
  return kExitOk;
}

// The database `show` and `history` read: named by --db or $LOYALTY_DB, or the default file
// when it exists. False: none (show prints the built-in demo).
bool NamesADatabase(const DbOptions& db) {
  if (!db.db.empty() || !ConfigFileDb().empty()) return true;
  const char* env = std::getenv("LOYALTY_DB");
  if (env != nullptr && *env != '\0') return true;
  return std::filesystem::exists(kDefaultDb);
}

int Show(const ProgramOptions& o) {
  if (!o.file.empty() || !NamesADatabase(o.db)) {
    auto p = LoadProgramFile(o.file.empty() ? "demo" : o.file);
    if (!p.ok()) return Fail(p.status());
    if (o.file.empty()) std::fprintf(stderr, "(no database: the built-in demo programme)\n");
    std::printf("%s\n", ProgramToJson(*p).c_str());
    return kExitOk;
  }
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  auto p = RequireProgramInForce(**store, SystemClock().NowMicros());
  if (!p.ok()) return Fail(p.status());
  std::fprintf(stderr, "programme %s in force in %s since %s, applied by %s\n",
               DescribeProgramVersion(p->row).c_str(), (*store)->Describe().c_str(),
               FormatInstant(p->row.effective_at_us).c_str(), p->row.author.c_str());
  std::printf("%s\n", p->row.program_json.c_str());
  return kExitOk;
}

int History(const ProgramOptions& o) {
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  const Micros now_us = SystemClock().NowMicros();
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  auto in_force = (*session)->FindProgramInForce(now_us);
  if (!in_force.ok()) return Fail(in_force.status());
  auto rows = (*session)->ListProgramVersions(0, o.limit);
  if (!rows.ok()) return Fail(rows.status());
  if (rows->empty()) {
    std::printf("no programme in the database: run `loyalty program apply FILE`\n");
    return kExitOk;
  }
  std::printf("%-8s %-12s %-20s %-27s %-27s %s\n", "VERSION", "SHA256", "AUTHOR", "APPLIED",
              "EFFECTIVE", "STATE");
  for (const ProgramVersion& v : *rows) {
    const char* state = in_force->has_value() && (*in_force)->version == v.version ? "in force"
                        : v.effective_at_us > now_us                               ? "scheduled"
                                                                                   : "superseded";
    std::printf("%-8lld %-12s %-20s %-27s %-27s %s\n", static_cast<long long>(v.version),
                v.hash.substr(0, 12).c_str(), v.author.c_str(),
                FormatInstant(v.applied_at_us).c_str(), FormatInstant(v.effective_at_us).c_str(),
                state);
  }
  return kExitOk;
}

}  // namespace

void AddProgramCommand(CLI::App& parent, Runner& run) {
  auto o = std::make_shared<ProgramOptions>();
  CLI::App* program =
      parent.add_subcommand("program", "validate, apply and print the programme's versions");
  program->require_subcommand(1);

  CLI::App* check =
      program->add_subcommand("check", "validate a programme file and name the first bad field");
  check->add_option("FILE", o->file, "the programme JSON")->required();
  check->footer("Exit status 1 when the file is not a valid programme.");
  check->callback([&run, o] { run = [o] { return CheckFile(o->file); }; });

  CLI::App* apply =
      program->add_subcommand("apply", "validate a programme file and store it as a new version");
  apply->add_option("FILE", o->file, "the programme JSON")->required();
  apply
      ->add_option("--effective", o->effective,
                   "decides from this date (start of the day in the programme's\n"
                   "zone) or RFC 3339 instant (default: the file's effective_date,\n"
                   "else now)")
      ->type_name("DATE");
  apply->add_option("--author", o->author, "who applies it (default $USER, else unknown)")
      ->type_name("NAME");
  AddDbOptions(*apply, o->db, /*writes=*/true);
  apply->footer(
      "The file's \"version\" must be higher than the newest version stored; the same content\n"
      "as that version is \"unchanged\" (nothing written, exit 0). A running `loyalty serve`\n"
      "keeps its programme: restart the nodes once the version is in force (/readyz answers\n"
      "503 \"programme changed: restart\" until then). docs/operations.md, \"Upgrading the\n"
      "programme\".");
  apply->callback([&run, o] { run = [o] { return Apply(*o); }; });

  CLI::App* show = program->add_subcommand(
      "show", "print the programme in force (or a file, or the built-in demo) as canonical JSON");
  show->add_option("FILE", o->file, "a programme JSON to print instead");
  AddDbOptions(*show, o->db, /*writes=*/false);
  show->footer(
      "Without FILE: the version in force in the database (--db, $LOYALTY_DB, or var/loyalty.db\n"
      "when it exists); with no database at all, the built-in demo programme.");
  show->callback([&run, o] { run = [o] { return Show(*o); }; });

  CLI::App* history =
      program->add_subcommand("history", "the programme versions stored in the database");
  history->add_option("--limit", o->limit, "newest versions to list (default 20)")
      ->type_name("N")
      ->check(CLI::Range(1, 500).description(""));
  AddDbOptions(*history, o->db, /*writes=*/false);
  history->callback([&run, o] { run = [o] { return History(*o); }; });
}

}  // namespace loyalty::cli
