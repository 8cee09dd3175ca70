// The plumbing every `loyalty` command shares: the exit codes, the --db options and how a store
// is opened from them, error printing, and RunCli(), the whole command line (app/main.cpp).
//
// The command line is strict (CLI11): an unknown option or a stray argument is an error (exit 2)
// naming the closest valid option or command, and nothing runs, opens or creates anything until
// the whole line parsed. Every command answers --help and --version.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"

namespace CLI {
class App;  // <CLI/CLI.hpp>: only where the command line is built (app/commands.h, cli.cpp)
}  // namespace CLI

namespace loyalty::cli {

// The exit status of every command (listed in `loyalty --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation failed, or found a problem (`check`)
inline constexpr int kExitUsage = 2;   // the command line is wrong; nothing was done

inline constexpr const char* kDefaultDb = "var/loyalty.db";

// What the command the command line picked runs, once the whole line parsed. Returns the exit
// status.
using Runner = std::function<int()>;

// "loyalty <version>" (--version and `loyalty version`).
std::string VersionLine();

// The --db option of the commands that use a store, and --synchronous for those that write.
struct DbOptions {
  std::string db;  // empty: $LOYALTY_DB, else kDefaultDb
  std::string synchronous = "full";
};
void AddDbOptions(CLI::App& cmd, DbOptions& options, bool writes);
// The database the options name: --db, else $LOYALTY_DB, else kDefaultDb.
std::string DbUrl(const DbOptions& options);

enum class OpenMode {
  // The database must exist and have the schema of this binary (every command but the two
  // below). Never creates a file or a directory.
  kExisting,
  // Created if missing, schema left to the caller (`migrate`, `serve --demo`).
  kCreate,
};

// The store the options name. Errors never contain a password; FailStore() gives their exit
// status.
Result<std::unique_ptr<Store>> OpenStore(const DbOptions& options, OpenMode mode);

// Prints "error: ..." on stderr and returns kExitFailed.
int Fail(const Status& status);
// Prints "error: ..." and where to find the usage of `command` ("loyalty jobs daily") on stderr;
// returns kExitUsage.
int Usage(const std::string& command, const std::string& message);
// Fail() for an error of OpenStore: kExitUsage when the --db value itself is wrong (malformed or
// unknown scheme, or no database there), else kExitFailed.
int FailStore(const Status& status);

// The name in `names` closest to `given` (edit distance, or `given` a prefix of exactly one),
// "" when none is close enough to be what was meant. "--dryrun" -> "--dry-run".
std::string ClosestName(const std::string& given, const std::vector<std::string>& names);

// The whole command line: parses argv, runs the command it names, returns the exit status.
int RunCli(int argc, char** argv);

}  // namespace loyalty::cli
