// `loyalty migrate`: creates the database if needed and applies the migrations not applied yet.
#include <cstdio>
#include <memory>

#include "app/commands.h"

namespace loyalty::cli {

namespace {

int Migrate(const DbOptions& db) {
  auto store = OpenStore(db, OpenMode::kCreate);
  if (!store.ok()) return FailStore(store.status());
  auto n = (*store)->Migrate();
  if (!n.ok()) return Fail(n.status());
  std::printf("%s: %d migration(s) applied; schema is current\n", (*store)->Describe().c_str(), *n);
  return kExitOk;
}

}  // namespace

void AddMigrateCommand(CLI::App& parent, Runner& run) {
  auto db = std::make_shared<DbOptions>();
  CLI::App* cmd = parent.add_subcommand("migrate", "create or upgrade the database schema");
  cmd->footer(
      "Creates the database (an SQLite file and its directory) if it does not exist, then\n"
      "applies the schema migrations not applied yet. Safe to run again.");
  AddDbOptions(*cmd, *db, /*writes=*/true);
  cmd->callback([&run, db] { run = [db] { return Migrate(*db); }; });
}

}  // namespace loyalty::cli
