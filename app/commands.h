// The commands of `loyalty`, one file each (app/cmd_*.cpp). Each Add*Command adds its CLI11
// subcommand to `parent`, with its options bound to state the subcommand owns; when the command
// line picks it (and only once the whole line parsed), the subcommand's callback sets `run` to
// what runs it. Nothing is opened or created before that.
#pragma once

#include <CLI/CLI.hpp>

#include "app/cli.h"

namespace loyalty::cli {

void AddServeCommand(CLI::App& parent, Runner& run);    // app/cmd_serve.cpp
void AddMigrateCommand(CLI::App& parent, Runner& run);  // app/cmd_migrate.cpp
void AddKeysCommand(CLI::App& parent, Runner& run);     // app/cmd_keys.cpp: create, list, revoke
void AddCheckCommand(CLI::App& parent, Runner& run);    // app/cmd_check.cpp
void AddJobsCommand(CLI::App& parent, Runner& run);     // app/cmd_jobs.cpp: daily, simulate
void AddProgramCommand(CLI::App& parent, Runner& run);  // app/cmd_program.cpp: check, show
void AddReportCommand(CLI::App& parent, Runner& run);   // app/cmd_report.cpp: liability
void AddImportCommand(CLI::App& parent, Runner& run);   // app/cmd_import.cpp: customers, orders
void AddExportCommand(CLI::App& parent, Runner& run);   // app/cmd_export.cpp: customers, ...
void AddVersionCommand(CLI::App& parent, Runner& run);  // app/cmd_version.cpp

}  // namespace loyalty::cli
