// `loyalty`: one binary, several subcommands. Every subcommand answers --help.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/auth.h"
#include "api/cli_args.h"
#include "api/cli_progress.h"
#include "api/crypto.h"
#include "api/program_json.h"
#include "api/server.h"
#include "api/store_factory.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "core/ledger.h"
#include "jobs/daily_job.h"
#include "jobs/simulate.h"

namespace loyalty {
namespace {

constexpr const char* kDefaultDb = "var/loyalty.db";

const char* kUsage = R"(loyalty: points, tiers and coupons for Korean online shops

Usage: loyalty <command> [options]

Commands:
  serve           run the REST API (add --demo for a ready-to-try set-up)
  migrate         create or upgrade the database schema
  keys            create, list or revoke API keys
  check           verify the ledger invariants of every customer
  jobs daily      the daily job: activate, expire, recompute spend, tiers
  jobs simulate   what a new programme would do to the tiers, writing nothing
  program check   validate a programme file and name the first bad field
  program show    print a programme (the built-in demo by default) as JSON
  version         print the version

Run `loyalty <command> --help` for the options of a command.
)";

const char* kDbHelp =
    "  --db DB            SQLite file (default var/loyalty.db) or mysql://user@host:port/db;\n"
    "                     default $LOYALTY_DB; MySQL password from $LOYALTY_DB_PASSWORD(_FILE)\n";

std::string DbPath(const Args& a) {
  if (a.Has("db")) return a.Get("db");
  const char* env = std::getenv("LOYALTY_DB");
  return env != nullptr && *env != '\0' ? env : kDefaultDb;
}

Result<std::unique_ptr<Store>> OpenStore(const Args& a) {
  StoreOptions opts;
  opts.synchronous_full = a.Get("synchronous", "full") != "normal";
  return OpenStoreFromUrl(DbPath(a), opts);
}

// The store, refused unless its schema is the one this binary expects (`loyalty migrate`).
Result<std::unique_ptr<Store>> OpenCurrentStore(const Args& a) {
  auto store = OpenStore(a);
  if (!store.ok()) return store.status();
  LOYALTY_RETURN_IF_ERROR((*store)->CheckSchema());
  return store;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

volatile sig_atomic_t g_stop = 0;

// The webhook options of `serve`: none without --webhook-url; with it a secret is required.
Result<WebhookOptions> WebhookFromArgs(const Args& a) {
  WebhookOptions w;
  if (!a.Has("webhook-url")) {
    for (const char* opt :
         {"webhook-secret-file", "webhook-max-attempts", "webhook-backoff-seconds"}) {
      if (a.Has(opt)) return Status::Invalid(std::string("--") + opt, "needs --webhook-url");
    }
    return w;
  }
  w.url = a.Get("webhook-url");
  if (w.url.empty()) return Status::Invalid("--webhook-url", "must not be empty");
  if (a.Has("webhook-secret-file")) {
    const std::string file = a.Get("webhook-secret-file");
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::Invalid("--webhook-secret-file", "cannot read " + file);
    std::ostringstream text;
    text << in.rdbuf();
    w.secret = text.str();
    while (!w.secret.empty() && (w.secret.back() == '\n' || w.secret.back() == '\r')) {
      w.secret.pop_back();
    }
  } else if (const char* env = std::getenv("LOYALTY_WEBHOOK_SECRET"); env != nullptr) {
    w.secret = env;
  }
  if (w.secret.empty()) {
    return Status::Invalid("--webhook-secret-file",
                           "a webhook needs a signing secret (--webhook-secret-file FILE or "
                           "$LOYALTY_WEBHOOK_SECRET)");
  }
  if (!a.GetInt("webhook-max-attempts", 8, 1, 100, &w.max_attempts)) {
    return Status::Invalid("--webhook-max-attempts", "must be 1 to 100");
  }
  if (!a.GetInt("webhook-backoff-seconds", 30, 1, 86400, &w.backoff_seconds)) {
    return Status::Invalid("--webhook-backoff-seconds", "must be 1 to 86400");
  }
  Status valid = ValidateWebhookOptions(w);
  if (!valid.ok()) {
    const std::string field =
        valid.field() == "webhook_secret" ? "--webhook-secret-file" : "--webhook-url";
    return Status::Invalid(field, valid.message());
  }
  return w;
}

int Serve(const Args& a) {
  if (a.Has("help")) {
    std::printf(
        "Usage: loyalty serve [options]\n\n"
        "Runs the REST API v1 until SIGINT or SIGTERM.\n\n%s"
        "  --program FILE     programme JSON (default: the built-in demo programme)\n"
        "  --host HOST        address to listen on (default 127.0.0.1)\n"
        "  --port PORT        port (default 8080; 0 picks a free one)\n"
        "  --threads N        HTTP worker threads = keep-alive clients served at once (default 128)\n"
        "  --writers N        write sessions of the group-commit executor (SQLite 1, MySQL 4)\n"
        "  --demo             migrate the database and print a fresh API key for every role\n"
        "  --json-logs        log JSON lines instead of text\n"
        "  --synchronous normal   faster commits that may lose the last ones on power loss\n"
        "  --webhook-url URL  also push messages to this http:// URL, signed (docs/messages.md)\n"
        "  --webhook-secret-file FILE  the HMAC-SHA256 signing secret (at least 16 bytes;\n"
        "                     trailing newline ignored); default $LOYALTY_WEBHOOK_SECRET\n"
        "  --webhook-max-attempts N     failed deliveries before dead letter (default 8)\n"
        "  --webhook-backoff-seconds S  first retry delay, doubled per attempt up to 1 h "
        "(default 30)\n",
        kDbHelp);
    return 0;
  }
  auto webhook = WebhookFromArgs(a);
  if (!webhook.ok()) return Fail(webhook.status());
  auto program = LoadProgramFile(a.Get("program", "demo"));
  if (!program.ok()) return Fail(program.status());
  auto store = OpenStore(a);
  if (!store.ok()) return Fail(store.status());
  SystemClock clock;
  if (a.Has("demo")) {
    auto n = (*store)->Migrate();
    if (!n.ok()) return Fail(n.status());
  }
  Status schema = (*store)->CheckSchema();
  if (!schema.ok()) return Fail(schema);

  std::map<std::string, std::string> demo_keys;
  if (a.Has("demo")) {
    auto session = (*store)->OpenSession();
    if (!session.ok()) return Fail(session.status());
    auto existing = (*session)->ListApiKeys();
    if (!existing.ok()) return Fail(existing.status());
    for (const ApiKey& k : *existing) {
      if (k.name.rfind("demo-", 0) == 0 && k.revoked_at_us == 0) {
        Status st = (*session)->RevokeApiKey(k.name, clock.NowMicros());
        if (!st.ok()) return Fail(st);
      }
    }
    std::string stamp = std::to_string(clock.NowMicros());
    for (const char* role : {"checkout", "cs_agent", "cs_supervisor", "admin", "messaging", "jobs"}) {
      auto token = CreateApiKey(**session, std::string("demo-") + role + "-" + stamp, role,
                                clock.NowMicros());
      if (!token.ok()) return Fail(token.status());
      demo_keys[role] = *token;
    }
  }

  ServerOptions opts;
  opts.host = a.Get("host", "127.0.0.1");
  if (!a.GetInt("port", 8080, 0, 65535, &opts.port)) {
    return Fail(Status::Invalid("--port", "must be 0 to 65535"));
  }
  if (!a.GetInt("threads", 128, 2, 4096, &opts.threads)) {
    return Fail(Status::Invalid("--threads", "must be 2 to 4096"));
  }
  if (!a.GetInt("writers", IsMysqlUrl(DbPath(a)) ? 4 : 1, 1, 64, &opts.writer_sessions)) {
    return Fail(Status::Invalid("--writers", "must be 1 to 64"));
  }
  opts.json_logs = a.Has("json-logs");
  opts.webhook = std::move(webhook).value();
  ApiServer server(**store, *program, clock, opts);
  Status st = server.Start();
  if (!st.ok()) return Fail(st);

  std::string url = "http://" + opts.host + ":" + std::to_string(server.port());
  std::printf("loyalty is serving %s on %s (programme '%s' v%lld)\n", url.c_str(),
              (*store)->Describe().c_str(), program->name.c_str(),
              static_cast<long long>(program->version));
  if (!demo_keys.empty()) {
    std::printf("\nDemo API keys (shown once; stored only as hashes):\n");
    for (const auto& [role, token] : demo_keys) {
      std::printf("  %-14s %s\n", role.c_str(), token.c_str());
    }
    std::printf("\nTry:\n  curl -s -X PUT %s/v1/customers/c-1 -H 'Authorization: Bearer %s' "
                "-H 'Content-Type: application/json' -d '{\"marketing_consent\":true}'\n",
                url.c_str(), demo_keys["checkout"].c_str());
  }
  std::fflush(stdout);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {} received; draining and stopping", sig);
  server.Stop();
  return 0;
}

int Migrate(const Args& a) {
  if (a.Has("help")) {
    std::printf("Usage: loyalty migrate [--db PATH]\n\nApplies the schema migrations not applied "
                "yet. Safe to run again.\n\n%s", kDbHelp);
    return 0;
  }
  auto store = OpenStore(a);
  if (!store.ok()) return Fail(store.status());
  auto n = (*store)->Migrate();
  if (!n.ok()) return Fail(n.status());
  std::printf("%s: %d migration(s) applied; schema is current\n", (*store)->Describe().c_str(), *n);
  return 0;
}

int Keys(const Args& a) {
  const std::string action = a.Positional(1);
  if (a.Has("help") || action.empty()) {
    std::printf(
        "Usage: loyalty keys create --role ROLE --name NAME [--db PATH]\n"
        "       loyalty keys list [--db PATH]\n"
        "       loyalty keys revoke --name NAME [--db PATH]\n\n"
        "Roles: checkout, cs_agent, cs_supervisor, admin, messaging, jobs.\n"
        "The key is printed once; the database keeps only its SHA-256 hash.\n\n%s",
        kDbHelp);
    return action.empty() && !a.Has("help") ? 2 : 0;
  }
  auto store = OpenCurrentStore(a);
  if (!store.ok()) return Fail(store.status());
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  SystemClock clock;
  if (action == "create") {
    std::string role = a.Get("role"), name = a.Get("name", "");
    if (!IsKnownRole(role)) return Fail(Status::Invalid("--role", "unknown role '" + role + "'"));
    if (name.empty()) name = role + "-" + std::to_string(clock.NowMicros());
    auto token = CreateApiKey(**session, name, role, clock.NowMicros());
    if (!token.ok()) return Fail(token.status());
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr, "created key '%s' with role %s; store it now, it is not shown again\n",
                 name.c_str(), role.c_str());
    return 0;
  }
  if (action == "list") {
    auto keys = (*session)->ListApiKeys();
    if (!keys.ok()) return Fail(keys.status());
    std::printf("%-40s %-14s %-24s %s\n", "NAME", "ROLE", "CREATED", "REVOKED");
    for (const ApiKey& k : *keys) {
      std::printf("%-40s %-14s %-24s %s\n", k.name.c_str(), k.role.c_str(),
                  FormatInstant(k.created_at_us).c_str(),
                  k.revoked_at_us ? FormatInstant(k.revoked_at_us).c_str() : "-");
    }
    return 0;
  }
  if (action == "revoke") {
    Status st = (*session)->RevokeApiKey(a.Get("name"), clock.NowMicros());
    if (!st.ok()) return Fail(st);
    std::printf("revoked %s\n", a.Get("name").c_str());
    return 0;
  }
  return Fail(Status::Invalid("keys", "unknown action '" + action + "'"));
}

int Check(const Args& a) {
  if (a.Has("help")) {
    std::printf("Usage: loyalty check [--db PATH] [--program FILE]\n\n"
                "Verifies, for every customer: available = sum of live lots = sum of entries;\n"
                "pending likewise; every lot's remaining = its entries; no negative balance\n"
                "unless the programme allows one. Exit status 1 when a problem is found.\n\n%s",
                kDbHelp);
    return 0;
  }
  auto program = LoadProgramFile(a.Get("program", "demo"));
  if (!program.ok()) return Fail(program.status());
  auto store = OpenCurrentStore(a);
  if (!store.ok()) return Fail(store.status());
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  Status br = (*session)->BeginRead();
  if (!br.ok()) return Fail(br);
  auto report = CheckLedger(**session, *program);
  (*session)->EndRead();
  if (!report.ok()) return Fail(report.status());
  for (const std::string& p : report->problems) std::printf("PROBLEM %s\n", p.c_str());
  std::printf("%s: %lld customers, %lld lots, %lld entries checked: %s\n",
              (*store)->Describe().c_str(), static_cast<long long>(report->customers),
              static_cast<long long>(report->lots), static_cast<long long>(report->entries),
              report->problems.empty() ? "clean" : "PROBLEMS FOUND");
  return report->problems.empty() ? 0 : 1;
}

Result<LocalDate> DateOption(const Args& a, const Program& p) {
  if (!a.Has("date")) return BusinessDate(SystemClock().NowMicros(), p.time_zone);
  auto d = ParseLocalDate(a.Get("date"));
  if (!d.ok()) return Status::Invalid("--date", d.status().message());
  return d;
}

int JobsCmd(const Args& a) {
  const std::string action = a.Positional(1);
  if (a.Has("help") || action.empty()) {
    std::printf(
        "Usage: loyalty jobs daily [--date YYYY-MM-DD] [--dry-run] [--shard K/N] [--db DB]\n"
        "                          [--program FILE]\n"
        "       loyalty jobs simulate --program NEW.json [--current FILE] [--date D] [--db DB]\n\n"
        "daily runs, for business date D (default: today in the programme's zone), in order:\n"
        "activate matured pending points, expire due lots, recompute window spend, apply\n"
        "downgrades and missed upgrades. Each step is idempotent per date and shard and\n"
        "resumes after a crash. --dry-run prints the same summary and writes nothing.\n"
        "--shard K/N processes the customers whose stable hash falls in shard K of N.\n\n"
        "simulate reports how many customers the NEW programme would move from each tier to\n"
        "each other tier, and the change in points earned, against the real ledger.\n\n%s",
        kDbHelp);
    return action.empty() && !a.Has("help") ? 2 : 0;
  }
  auto store = OpenCurrentStore(a);
  if (!store.ok()) return Fail(store.status());
  if (action == "daily") {
    auto program = LoadProgramFile(a.Get("program", "demo"));
    if (!program.ok()) return Fail(program.status());
    auto date = DateOption(a, *program);
    if (!date.ok()) return Fail(date.status());
    DailyJobOptions opts;
    opts.date = *date;
    opts.dry_run = a.Has("dry-run");
    opts.random = &SystemRandom::Instance();
    if (a.Has("shard")) {
      int k = -1, n = 0;
      if (std::sscanf(a.Get("shard").c_str(), "%d/%d", &k, &n) != 2) {
        return Fail(Status::Invalid("--shard", "expected K/N, e.g. 0/4"));
      }
      opts.shard = k;
      opts.shards = n;
    }
    ProgressPrinter progress;
    opts.on_progress = [&progress](const JobProgress& p) { progress(p); };
    SystemClock clock;
    DailyJob job(**store, *program, clock);
    auto summary = job.Run(opts);
    progress.EndLine();
    if (!summary.ok()) return Fail(summary.status());
    std::printf("%s%s", opts.dry_run ? "DRY RUN (nothing written)\n" : "", summary->ToText().c_str());
    return summary->errors.empty() ? 0 : 1;
  }
  if (action == "simulate") {
    if (!a.Has("program")) return Fail(Status::Invalid("--program", "give the new programme file"));
    auto proposed = LoadProgramFile(a.Get("program"));
    if (!proposed.ok()) return Fail(proposed.status());
    auto current = LoadProgramFile(a.Get("current", "demo"));
    if (!current.ok()) return Fail(current.status());
    auto date = DateOption(a, *proposed);
    if (!date.ok()) return Fail(date.status());
    auto report = SimulateProgram(**store, *current, *proposed, *date);
    if (!report.ok()) return Fail(report.status());
    std::printf("%s", report->ToText().c_str());
    return 0;
  }
  return Fail(Status::Invalid("jobs", "unknown action '" + action + "'"));
}

int ProgramCmd(const Args& a) {
  const std::string action = a.Positional(1);
  if (a.Has("help") || action.empty()) {
    std::printf("Usage: loyalty program check FILE\n"
                "       loyalty program show [FILE]\n\n"
                "check validates a programme file and names the first offending field;\n"
                "show prints it (default: the built-in demo programme) in canonical form.\n");
    return action.empty() && !a.Has("help") ? 2 : 0;
  }
  std::string file = a.Positional(2);
  if (action == "check") {
    if (file.empty()) return Fail(Status::Invalid("FILE", "give the programme file to check"));
    auto p = LoadProgramFile(file);
    if (!p.ok()) {
      const Status& s = p.status();
      std::fprintf(stderr, "%s: %s%s%s\n", file.c_str(), s.field().c_str(),
                   s.field().empty() ? "" : ": ", s.message().c_str());
      return 1;
    }
    std::printf("%s: ok (programme '%s' version %lld, %zu tiers)\n", file.c_str(),
                p->name.c_str(), static_cast<long long>(p->version), p->tiers.size());
    return 0;
  }
  if (action == "show") {
    auto p = LoadProgramFile(file.empty() ? "demo" : file);
    if (!p.ok()) return Fail(p.status());
    std::printf("%s\n", ProgramToJson(*p).c_str());
    return 0;
  }
  return Fail(Status::Invalid("program", "unknown action '" + action + "'"));
}

}  // namespace
}  // namespace loyalty

int main(int argc, char** argv) {
  using namespace loyalty;
  Args args(argc, argv);
  if (!args.error().empty()) {
    std::fprintf(stderr, "error: %s\n", args.error().c_str());
    return 2;
  }
  const std::string cmd = args.Positional(0);
  if (cmd.empty() || cmd == "help" || (cmd.empty() && args.Has("help"))) {
    std::printf("%s", kUsage);
    return cmd.empty() && !args.Has("help") ? 2 : 0;
  }
  if (cmd == "serve") return Serve(args);
  if (cmd == "migrate") return Migrate(args);
  if (cmd == "keys") return Keys(args);
  if (cmd == "check") return Check(args);
  if (cmd == "program") return ProgramCmd(args);
  if (cmd == "jobs") return JobsCmd(args);
  if (cmd == "version") {
    std::printf("loyalty 0.1.0\n");
    return 0;
  }
  std::fprintf(stderr, "error: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
