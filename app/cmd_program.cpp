// `loyalty program check FILE` and `loyalty program show [FILE]`: programme files, no database.
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/program_codec.h"

namespace loyalty::cli {

namespace {

int CheckFile(const std::string& file) {
  auto p = LoadProgramFile(file);
  if (!p.ok()) {
    const Status& s = p.status();
    std::fprintf(stderr, "%s: %s%s%s\n", file.c_str(), s.field().c_str(),
                 s.field().empty() ? "" : ": ", s.message().c_str());
    return kExitFailed;
  }
  std::printf("%s: ok (programme '%s' version %lld, %zu tiers)\n", file.c_str(), p->name.c_str(),
              static_cast<long long>(p->version), p->tiers.size());
  return kExitOk;
}

int Show(const std::string& file) {
  auto p = LoadProgramFile(file.empty() ? "demo" : file);
  if (!p.ok()) return Fail(p.status());
  std::printf("%s\n", ProgramToJson(*p).c_str());
  return kExitOk;
}

}  // namespace

void AddProgramCommand(CLI::App& parent, Runner& run) {
  auto file = std::make_shared<std::string>();
  CLI::App* program = parent.add_subcommand("program", "validate or print a programme file");
  program->require_subcommand(1);

  CLI::App* check =
      program->add_subcommand("check", "validate a programme file and name the first bad field");
  check->add_option("FILE", *file, "the programme JSON")->required();
  check->footer("Exit status 1 when the file is not a valid programme.");
  check->callback([&run, file] { run = [file] { return CheckFile(*file); }; });

  CLI::App* show = program->add_subcommand(
      "show", "print a programme (the built-in demo by default) as canonical JSON");
  show->add_option("FILE", *file, "the programme JSON (default: the built-in demo programme)");
  show->callback([&run, file] { run = [file] { return Show(*file); }; });
}

}  // namespace loyalty::cli
