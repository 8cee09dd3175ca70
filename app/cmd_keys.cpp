// `loyalty keys create | list | revoke`: the API keys. A new key's token is printed once, on
// stdout, by `keys create` (the only place a token is ever printed); the database keeps its
// SHA-256 only.
#include <cstdio>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api/records.h"
#include "app/commands.h"
#include "core/business_time.h"
#include "core/clock.h"

namespace loyalty::cli {

namespace {

struct KeysOptions {
  DbOptions db;
  std::string role;
  std::string name;
};

// Runs `action` on the API records of a session of the (existing, migrated) store.
template <typename Action>
int WithRecords(const DbOptions& db, Action action) {
  auto store = OpenStore(db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  return action(ApiRecordsOf(**session));
}

int Create(const KeysOptions& o) {
  return WithRecords(o.db, [&o](ApiRecords& records) {
    SystemClock clock;
    const std::string name =
        o.name.empty() ? o.role + "-" + std::to_string(clock.NowMicros()) : o.name;
    auto token = CreateApiKey(records, name, o.role, clock.NowMicros());
    if (!token.ok()) return Fail(token.status());
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr, "created key '%s' with role %s; store it now, it is not shown again\n",
                 name.c_str(), o.role.c_str());
    return kExitOk;
  });
}

int List(const KeysOptions& o) {
  return WithRecords(o.db, [](ApiRecords& records) {
    auto keys = records.ListApiKeys();
    if (!keys.ok()) return Fail(keys.status());
    std::printf("%-40s %-14s %-24s %s\n", "NAME", "ROLE", "CREATED", "REVOKED");
    for (const ApiKey& k : *keys) {
      std::printf("%-40s %-14s %-24s %s\n", k.name.c_str(), k.role.c_str(),
                  FormatInstant(k.created_at_us).c_str(),
                  k.revoked_at_us ? FormatInstant(k.revoked_at_us).c_str() : "-");
    }
    return kExitOk;
  });
}

int Revoke(const KeysOptions& o) {
  return WithRecords(o.db, [&o](ApiRecords& records) {
    Status st = records.RevokeApiKey(o.name, SystemClock().NowMicros());
    if (!st.ok()) return Fail(st);
    std::printf("revoked %s\n", o.name.c_str());
    return kExitOk;
  });
}

}  // namespace

void AddKeysCommand(CLI::App& parent, Runner& run) {
  auto o = std::make_shared<KeysOptions>();
  std::string roles;
  for (const std::string& r : KnownRoles()) roles += (roles.empty() ? "" : ", ") + r;

  CLI::App* keys = parent.add_subcommand("keys", "create, list or revoke API keys");
  keys->require_subcommand(1);

  CLI::App* create = keys->add_subcommand("create", "create a key and print its token once");
  create->add_option("--role", o->role, "what the key may call:\n" + roles)
      ->type_name("ROLE")
      ->required()
      ->check(CLI::IsMember(KnownRoles()).description(""));
  create
      ->add_option("--name", o->name,
                   "the key's name, 1-64 of [A-Za-z0-9._:@-] (default\nROLE-<microseconds>)")
      ->type_name("NAME");
  AddDbOptions(*create, o->db, /*writes=*/true);
  create->footer("The token goes to stdout (one line), the confirmation to stderr.");
  create->callback([&run, o] { run = [o] { return Create(*o); }; });

  CLI::App* list = keys->add_subcommand("list", "list the keys (names and roles, never tokens)");
  AddDbOptions(*list, o->db, /*writes=*/false);
  list->callback([&run, o] { run = [o] { return List(*o); }; });

  CLI::App* revoke = keys->add_subcommand("revoke", "revoke a key by name");
  revoke->add_option("--name", o->name, "the key to revoke")->type_name("NAME")->required();
  AddDbOptions(*revoke, o->db, /*writes=*/true);
  revoke->callback([&run, o] { run = [o] { return Revoke(*o); }; });

  // After the subcommands, which would inherit it.
  keys->footer("Roles: " + roles +
               ".\nA key is printed once, by `keys create`; the database keeps only its "
               "SHA-256 hash.");
}

}  // namespace loyalty::cli
