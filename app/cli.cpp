#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "app/commands.h"
#include "app/config_file.h"
#include "app/logging.h"
#include "app/store_factory.h"

namespace loyalty::cli {

namespace {

const char* kDescription = "loyalty: points, tiers and coupons for Korean online shops";

const char* kFooter =
    "Exit status:\n"
    "  0  done\n"
    "  1  the operation failed, or found what it looks for (check: a ledger problem; jobs daily:\n"
    "     an item failed)\n"
    "  2  the command line is wrong: unknown command or option, stray argument, bad value, an\n"
    "     unknown --db scheme, or no database at --db for a command that needs one; nothing was\n"
    "     done and no file was created\n\n"
    "Global options (--config, --log-level, --json-logs) may be given before or after the\n"
    "command. Precedence: the command line, then the --config file, then the defaults.\n\n"
    "Environment: LOYALTY_CONFIG (the default --config), LOYALTY_DB (the --db when neither the\n"
    "command line nor the file gives one), LOYALTY_DB_PASSWORD or LOYALTY_DB_PASSWORD_FILE\n"
    "(the MySQL password), LOYALTY_WEBHOOK_SECRET (serve).\n"
    "Run `loyalty <command> --help` for the options of a command.";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbours ("--dyr-run") each cost one.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The commands picked on the command line, outermost first: loyalty, jobs, daily.
std::vector<CLI::App*> SelectedChain(CLI::App& app) {
  std::vector<CLI::App*> chain = {&app};
  for (;;) {
    std::vector<CLI::App*> subs = chain.back()->get_subcommands();
    if (subs.empty()) return chain;
    chain.push_back(subs.front());
  }
}

std::string PathOf(const std::vector<CLI::App*>& chain, size_t depth) {
  std::string path;
  for (size_t i = 0; i <= depth && i < chain.size(); ++i) {
    if (!path.empty()) path += " ";
    path += chain[i]->get_name();
  }
  return path;
}

std::vector<CLI::App*> AllSubcommands(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

std::vector<std::string> OptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::vector<std::string> CommandNames(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* sub : AllSubcommands(app)) {
    if (!sub->get_group().empty()) names.push_back(sub->get_name());
  }
  return names;
}

std::string JoinChoices(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// An argument as it may be shown: a URL's credentials are never quoted back.
std::string Shown(const std::string& arg) {
  return HideDbCredentials(Status(Code::kValidationFailed, arg), arg).message();
}

// What is wrong with one argument CLI11 could not place in `chain[depth]`.
std::string DescribeExtra(const std::vector<CLI::App*>& chain, size_t depth,
                          const std::string& arg) {
  CLI::App& node = *chain[depth];
  const std::string path = PathOf(chain, depth);
  if (arg.size() > 1 && arg[0] == '-') {
    const std::string name = arg.substr(0, arg.find('='));
    const std::string closest = ClosestName(name, OptionNames(node));
    if (!closest.empty()) return "unknown option " + name + "; did you mean " + closest + "?";
    // An option of another command of the line, e.g. `loyalty --db x check`.
    for (size_t i = 0; i < chain.size(); ++i) {
      const std::vector<std::string> names = OptionNames(*chain[i]);
      if (i != depth && std::find(names.begin(), names.end(), name) != names.end()) {
        return name + " is an option of '" + PathOf(chain, i) + "': put it after '" +
               chain[i]->get_name() + "'";
      }
    }
    return "unknown option " + name + " for '" + path + "'";
  }
  const std::vector<std::string> commands = CommandNames(node);
  if (!commands.empty()) {
    const std::string closest = ClosestName(arg, commands);
    if (!closest.empty()) {
      return "unknown command '" + Shown(arg) + "'; did you mean '" + closest + "'?";
    }
    return "unknown command '" + Shown(arg) + "' for '" + path + "': " + JoinChoices(commands);
  }
  return "unexpected argument '" + Shown(arg) + "' for '" + path + "'";
}

// Prints what is wrong with the command line (`args`, whose URL credentials never show, whatever
// CLI11's message quotes); returns kExitUsage.
int ReportParseError(CLI::App& app, const CLI::ParseError& e,
                     const std::vector<std::string>& args) {
  const std::vector<CLI::App*> chain = SelectedChain(app);
  const std::string command = PathOf(chain, chain.size() - 1);
  std::vector<std::string> problems;
  for (size_t depth = 0; depth < chain.size(); ++depth) {
    for (const std::string& arg : chain[depth]->remaining()) {
      if (arg != "--") problems.push_back(DescribeExtra(chain, depth, arg));
    }
  }
  if (problems.empty()) {
    CLI::App& last = *chain.back();
    const std::vector<std::string> commands = CommandNames(last);
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && !commands.empty() &&
        last.get_subcommands().empty()) {
      problems.push_back("'" + command + "' needs a command: " + JoinChoices(commands));
    } else {
      problems.push_back(e.what());
    }
  }
  for (std::string& p : problems) {
    for (const std::string& arg : args) {
      p = HideDbCredentials(Status(Code::kValidationFailed, p), arg).message();
    }
  }
  for (size_t i = 0; i + 1 < problems.size(); ++i) {
    std::fprintf(stderr, "error: %s\n", problems[i].c_str());
  }
  return Usage(command, problems.back());
}

// `loyalty help [COMMAND...]`: the help of that command (hidden; --help is the documented way).
void AddHelpCommand(CLI::App& app, Runner& run) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("help", "the help of a command");
  cmd->group("");
  cmd->add_option("COMMAND", *words, "the command, e.g. jobs daily");
  cmd->callback([&app, &run, words] {
    run = [&app, words]() -> int {
      CLI::App* node = &app;
      std::string path = app.get_name();
      for (const std::string& w : *words) {
        CLI::App* next = nullptr;
        for (CLI::App* sub : AllSubcommands(*node)) {
          if (sub->get_name() == w) next = sub;
        }
        if (next == nullptr) {
          const std::string closest = ClosestName(w, CommandNames(*node));
          return Usage(path, "unknown command '" + Shown(w) + "'" +
                                 (closest.empty() ? "" : "; did you mean '" + closest + "'?"));
        }
        if (node != &app) path += " " + node->get_name();
        node = next;
      }
      std::cout << (node == &app ? app.help() : node->help(path));
      return kExitOk;
    };
  });
}

// The global options, wherever they are on the line, moved right after the program name, where
// the root command parses them: `loyalty serve --config FILE` is what a unit file says, and
// CLI11 would take --config after `serve` for an option of serve. Nothing after `--` moves.
std::vector<std::string> HoistGlobalOptions(const std::vector<std::string>& args) {
  std::vector<std::string> global, rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    const bool valued = a == "--config" || a == "--log-level";
    if (valued && i + 1 < args.size()) {
      global.push_back(a);
      global.push_back(args[++i]);
    } else if (a == "--json-logs" || a.rfind("--config=", 0) == 0 ||
               a.rfind("--log-level=", 0) == 0) {
      global.push_back(a);
    } else {
      rest.push_back(a);
    }
  }
  global.insert(global.end(), rest.begin(), rest.end());
  return global;
}

void AddGlobalOptions(CLI::App& app, LogOptions& log) {
  app.add_option("--log-level", log.level, "trace, debug, info (default), warn, error or off")
      ->type_name("LEVEL")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kLogLevels), std::end(kLogLevels)))
                  .description(""));
  app.add_flag("--json-logs", log.json,
               "every log line one JSON object (start-up, access, drain\nand webhook lines; `jobs "
               "daily --json` for the job)");
}

void SetVersionFlags(CLI::App& app) {
  app.set_version_flag("--version", VersionLine(), "print the version and exit");
  for (CLI::App* sub : AllSubcommands(app)) SetVersionFlags(*sub);
}

}  // namespace

void AddDbOptions(CLI::App& cmd, DbOptions& options, bool writes) {
  cmd.add_option("--db", options.db,
                 "SQLite file, sqlite:FILE or mysql://user@host:port/database\n"
                 "(default $LOYALTY_DB, else var/loyalty.db); MySQL password:\n"
                 "$LOYALTY_DB_PASSWORD or $LOYALTY_DB_PASSWORD_FILE")
      ->type_name("DB")
      ->check(CLI::Validator(
          [](std::string& value) {
            // The scheme only: refused before anything runs. The message never quotes the URL.
            auto target = ParseDbTarget(value);
            return target.ok() ? std::string() : target.status().message();
          },
          "", "database"));
  if (writes) {
    cmd.add_option("--synchronous", options.synchronous,
                   "SQLite commits: full (default; a commit survives power loss)\n"
                   "or normal (faster; a power loss may lose the last commits)")
        ->type_name("full|normal")
        ->check(CLI::IsMember({"full", "normal"}).description(""));
  }
}

std::string DbUrl(const DbOptions& options) {
  if (!options.db.empty()) return options.db;
  if (!ConfigFileDb().empty()) return ConfigFileDb();
  const char* env = std::getenv("LOYALTY_DB");
  return env != nullptr && *env != '\0' ? env : kDefaultDb;
}

Result<std::unique_ptr<Store>> OpenStore(const DbOptions& options, OpenMode mode) {
  const std::string url = DbUrl(options);
  StoreOptions so;
  so.synchronous_full = options.synchronous != "normal";
  so.must_exist = mode == OpenMode::kExisting;
  auto store = OpenStoreFromUrl(url, so);
  if (!store.ok()) return HideDbCredentials(store.status(), url);
  if (mode == OpenMode::kExisting) {
    Status schema = (*store)->CheckSchema();
    if (!schema.ok()) return HideDbCredentials(schema, url);
  }
  return store;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
  return kExitFailed;
}

int Usage(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "error: %s\nRun '%s --help' for the options.\n", message.c_str(),
               command.c_str());
  return kExitUsage;
}

int FailStore(const Status& status) {
  Fail(status);
  const bool bad_db = status.field() == "--db" && (status.code() == Code::kValidationFailed ||
                                                   status.code() == Code::kNotFound);
  return bad_db ? kExitUsage : kExitFailed;
}

std::string ClosestName(const std::string& given, const std::vector<std::string>& names) {
  const std::string g = Lower(given);
  const size_t dashes = std::min(g.find_first_not_of('-'), g.size());
  const size_t letters = g.size() - dashes;
  if (letters == 0) return "";
  // A prefix of exactly one name ("--dry" -> "--dry-run").
  std::string prefixed;
  int prefixes = 0;
  for (const std::string& n : names) {
    if (letters >= 2 && Lower(n).rfind(g, 0) == 0) {
      prefixed = n;
      ++prefixes;
    }
  }
  if (prefixes == 1) return prefixed;
  // Otherwise the nearest, if the typo is small for the length of what was typed.
  const size_t allowed = letters <= 3 ? 1 : letters <= 8 ? 2 : 3;
  std::string best;
  size_t best_distance = allowed + 1;
  for (const std::string& n : names) {
    const size_t d = EditDistance(g, Lower(n));
    if (d < best_distance) {
      best = n;
      best_distance = d;
    }
  }
  return best;
}

int RunCli(int argc, char** argv) {
  CLI::App app{kDescription, "loyalty"};
  app.get_formatter()->column_width(30);
  app.require_subcommand(1);
  Runner run;
  LogOptions log;
  AddGlobalOptions(app, log);
  AddServeCommand(app, run);
  AddMigrateCommand(app, run);
  AddKeysCommand(app, run);
  AddCheckCommand(app, run);
  AddJobsCommand(app, run);
  AddProgramCommand(app, run);
  AddReportCommand(app, run);
  AddImportCommand(app, run);
  AddExportCommand(app, run);
  AddVersionCommand(app, run);
  AddHelpCommand(app, run);
  SetVersionFlags(app);
  AddConfigFile(app);
  app.footer(kFooter);  // after the commands, which would inherit it

  if (argc <= 1) {
    std::cerr << app.help();
    return kExitUsage;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> hoisted = HoistGlobalOptions(args);
  std::vector<char*> hoisted_argv = {argv[0]};
  for (std::string& a : hoisted) hoisted_argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(hoisted_argv.size()), hoisted_argv.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    return ReportParseError(app, e, args);
  }
  if (!run) return ReportParseError(app, CLI::RequiredError::Subcommand(1), args);
  SetUpLogging(log);
  return run();
}

}  // namespace loyalty::cli
