// `loyalty version` (and the text of --version on every command).
#include <cstdio>

#include "app/commands.h"

// The project's version, from CMake's project(VERSION): one place to bump it.
#ifndef LOYALTY_VERSION
#error "LOYALTY_VERSION must be defined (CMakeLists.txt: LOYALTY_VERSION=\"${PROJECT_VERSION}\")"
#endif

namespace loyalty::cli {

std::string VersionLine() { return std::string("loyalty ") + LOYALTY_VERSION; }

void AddVersionCommand(CLI::App& parent, Runner& run) {
  CLI::App* cmd = parent.add_subcommand("version", "print the version");
  cmd->callback([&run] {
    run = [] {
      std::printf("%s\n", VersionLine().c_str());
      return kExitOk;
    };
  });
}

}  // namespace loyalty::cli
