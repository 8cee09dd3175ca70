// The configuration file (--config FILE, default $LOYALTY_CONFIG): TOML whose tables are the
// commands ([serve], [jobs.daily], ...) and whose keys are those commands' long options without
// the dashes. It only supplies defaults: an option given on the command line wins over the file,
// and the file over the built-in default. Top-level keys: `db` (the database of every command
// that has --db and was not given one) and the global `log-level` and `json-logs`, which are
// also accepted inside a command's table.
//
// Strict like the command line: a key or table that names no option, a value of the wrong TOML
// type (a string for a number, "true" for a boolean), or an option that has no place in a file
// (--help, --version, --config) is refused with the key's dotted name, and nothing runs (exit 2).
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace loyalty::cli {

// Adds --config to `app` (the root: the file covers every command) and the reader above. Call
// after every command and option has been added.
void AddConfigFile(CLI::App& app);

// The top-level `db` of the file read by the last parse, "" when none.
const std::string& ConfigFileDb();

}  // namespace loyalty::cli
