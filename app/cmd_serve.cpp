// `loyalty serve`: the REST API v1 until SIGINT, SIGTERM or SIGHUP (each drains).
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include "api/auth.h"
#include "api/records.h"
#include "api/server.h"
#include "app/commands.h"
#include "app/logging.h"
#include "app/program_codec.h"
#include "app/program_source.h"
#include "app/store_factory.h"
#include "core/business_time.h"
#include "core/clock.h"

namespace loyalty::cli {

namespace {

struct ServeOptions {
  DbOptions db;
  std::string program;  // "" = the database's version in force; else it must be that one
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 32;
  int max_queued = 256;
  int max_connections = 10000;
  int header_timeout_ms = 5000;
  int body_timeout_ms = 10000;
  int keep_alive_timeout_ms = 15000;
  int queue_wait_ms = 1000;
  int drain_delay_ms = 2000;
  int drain_grace_ms = 10000;
  int writers = 0;  // 0: the engine's default (SQLite 1, MySQL 4)
  bool demo = false;
  std::string webhook_url;
  std::string webhook_secret_file;
  std::string webhook_previous_secret_file;
  std::string webhook_ca_file;
  int webhook_max_attempts = 8;
  int webhook_backoff_seconds = 30;
  // Which webhook options the command line gave (set by the callback from CLI11's counts).
  bool has_webhook_url = false;
  bool has_webhook_secret_file = false;
  bool has_webhook_previous_secret_file = false;
  bool has_webhook_ca_file = false;
  bool has_webhook_max_attempts = false;
  bool has_webhook_backoff_seconds = false;
};

// A secret file's bytes without the trailing newline an editor or `echo` leaves.
Result<std::string> ReadSecretFile(const char* flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(flag, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

// The webhook options: none without --webhook-url; with it a secret is required. These
// refusals exit 1, as they always did (tests/api/webhook_test.cpp).
Result<WebhookOptions> WebhookFrom(const ServeOptions& o) {
  WebhookOptions w;
  if (!o.has_webhook_url) {
    if (o.has_webhook_secret_file) {
      return Status::Invalid("--webhook-secret-file", "needs --webhook-url");
    }
    if (o.has_webhook_previous_secret_file) {
      return Status::Invalid("--webhook-previous-secret-file", "needs --webhook-url");
    }
    if (o.has_webhook_ca_file) return Status::Invalid("--webhook-ca-file", "needs --webhook-url");
    if (o.has_webhook_max_attempts) {
      return Status::Invalid("--webhook-max-attempts", "needs --webhook-url");
    }
    if (o.has_webhook_backoff_seconds) {
      return Status::Invalid("--webhook-backoff-seconds", "needs --webhook-url");
    }
    return w;
  }
  w.url = o.webhook_url;
  if (w.url.empty()) return Status::Invalid("--webhook-url", "must not be empty");
  if (o.has_webhook_secret_file) {
    LOYALTY_ASSIGN_OR_RETURN(w.secret,
                             ReadSecretFile("--webhook-secret-file", o.webhook_secret_file));
  } else if (const char* env = std::getenv("LOYALTY_WEBHOOK_SECRET"); env != nullptr) {
    w.secret = env;
  }
  if (w.secret.empty()) {
    return Status::Invalid("--webhook-secret-file",
                           "a webhook needs a signing secret (--webhook-secret-file FILE or "
                           "$LOYALTY_WEBHOOK_SECRET)");
  }
  if (o.has_webhook_previous_secret_file) {
    LOYALTY_ASSIGN_OR_RETURN(w.previous_secret, ReadSecretFile("--webhook-previous-secret-file",
                                                               o.webhook_previous_secret_file));
    if (w.previous_secret.empty()) {
      return Status::Invalid("--webhook-previous-secret-file", "is empty");
    }
  }
  w.ca_file = o.webhook_ca_file;
  if (o.has_webhook_ca_file && w.ca_file.empty()) {
    return Status::Invalid("--webhook-ca-file", "must not be empty");
  }
  w.max_attempts = o.webhook_max_attempts;
  w.backoff_seconds = o.webhook_backoff_seconds;
  Status valid = ValidateWebhookOptions(w);
  if (!valid.ok()) {
    const std::map<std::string, std::string> flags = {
        {"webhook_secret", "--webhook-secret-file"},
        {"webhook_previous_secret", "--webhook-previous-secret-file"},
        {"webhook_ca_file", "--webhook-ca-file"}};
    const auto flag = flags.find(valid.field());
    return Status::Invalid(flag == flags.end() ? "--webhook-url" : flag->second, valid.message());
  }
  return w;
}

// Revokes the demo keys of an earlier `serve --demo` and creates one per role; role -> token.
Result<std::map<std::string, std::string>> CreateDemoKeys(Store& store, const Clock& clock) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, store.OpenSession());
  ApiRecords& records = ApiRecordsOf(*session);
  LOYALTY_ASSIGN_OR_RETURN(std::vector<ApiKey> existing, records.ListApiKeys());
  for (const ApiKey& k : existing) {
    if (k.name.rfind("demo-", 0) == 0 && k.revoked_at_us == 0) {
      LOYALTY_RETURN_IF_ERROR(records.RevokeApiKey(k.name, clock.NowMicros()));
    }
  }
  std::map<std::string, std::string> tokens;
  const std::string stamp = std::to_string(clock.NowMicros());
  for (const std::string& role : KnownRoles()) {
    LOYALTY_ASSIGN_OR_RETURN(
        tokens[role], CreateApiKey(records, "demo-" + role + "-" + stamp, role, clock.NowMicros()));
  }
  return tokens;
}

// The database's version in force. --demo first applies the --program file, else the
// built-in demo programme, to a database that has none (author "demo").
Result<StoredProgram> ProgramToServe(Store& store, const ServeOptions& o, Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<StoredProgram> found, FindProgramInForce(store, now_us));
  if (!found.has_value() && o.demo) {
    ApplyRequest seed;
    LOYALTY_ASSIGN_OR_RETURN(seed.program, LoadProgramFile(o.program.empty() ? "demo" : o.program));
    seed.author = "demo";
    seed.now_us = now_us;
    LOYALTY_RETURN_IF_ERROR(ApplyProgram(store, seed).status());
  }
  LOYALTY_ASSIGN_OR_RETURN(StoredProgram served, RequireProgramInForce(store, now_us));
  if (!o.program.empty()) LOYALTY_RETURN_IF_ERROR(CheckProgramFileMatches(o.program, served));
  return served;
}

int Serve(const ServeOptions& o) {
  auto webhook = WebhookFrom(o);
  if (!webhook.ok()) return Fail(webhook.status());
  // Without --demo the schema must be current already, and a database that does not exist
  // cannot have it: refused rather than created empty.
  auto store = OpenStore(o.db, o.demo ? OpenMode::kCreate : OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  SystemClock clock;
  std::map<std::string, std::string> demo_keys;
  if (o.demo) {
    auto n = (*store)->Migrate();
    if (!n.ok()) return Fail(n.status());
    Status schema = (*store)->CheckSchema();
    if (!schema.ok()) return Fail(schema);
    auto keys = CreateDemoKeys(**store, clock);
    if (!keys.ok()) return Fail(keys.status());
    demo_keys = std::move(keys).value();
  }
  auto served = ProgramToServe(**store, o, clock.NowMicros());
  if (!served.ok()) return Fail(served.status());
  const Program* program = &served->program;

  ServerOptions opts;
  opts.host = o.host;
  opts.port = o.port;
  opts.threads = o.threads;
  opts.max_queued = o.max_queued;
  opts.max_connections = o.max_connections;
  opts.header_timeout_ms = o.header_timeout_ms;
  opts.body_timeout_ms = o.body_timeout_ms;
  opts.keep_alive_timeout_ms = o.keep_alive_timeout_ms;
  opts.queue_wait_ms = o.queue_wait_ms;
  opts.drain_grace_ms = o.drain_grace_ms;
  opts.writer_sessions = o.writers > 0 ? o.writers : IsMysqlUrl(DbUrl(o.db)) ? 4 : 1;
  opts.json_logs = JsonLogs();  // the global --json-logs (app/logging.h)
  opts.webhook = std::move(webhook).value();
  opts.program_version = served->row;

  // Blocked before the server starts its threads, which inherit the mask: the signals then
  // reach sigwait() below (and the drain) instead of killing the process on a worker thread.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // no reload yet: a hang-up drains like SIGTERM
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  ApiServer server(**store, *program, clock, opts);
  Status st = server.Start();
  if (!st.ok()) return Fail(st);

  const std::string url = "http://" + opts.host + ":" + std::to_string(server.port());
  PrintOrLog("loyalty is serving " + url + " on " + (*store)->Describe() + " (programme '" +
             program->name + "' " + DescribeProgramVersion(served->row) + ", effective " +
             FormatInstant(served->row.effective_at_us) + ")");
  if (JsonLogs()) {
    for (const auto& [role, token] : demo_keys) spdlog::info("demo API key {}: {}", role, token);
  } else if (!demo_keys.empty()) {
    // What --demo is for: a key per role, shown this once.
    std::printf("\nDemo API keys (shown once; stored only as hashes):\n");
    for (const auto& [role, token] : demo_keys) {
      std::printf("  %-14s %s\n", role.c_str(), token.c_str());
    }
    std::printf(
        "\nTry:\n  curl -s -X PUT %s/v1/customers/c-1 -H 'Authorization: Bearer %s' "
        "-H 'Content-Type: application/json' -d '{\"marketing_consent\":true}'\n",
        url.c_str(), demo_keys["checkout"].c_str());
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&set, &sig);
  // Readiness goes first: balancers polling /readyz stop sending new work during the delay,
  // while everything that still arrives is served. A second signal cuts the delay short.
  server.BeginDrain();
  spdlog::info("signal {} received; /readyz answers 503, draining in {} ms", sig, o.drain_delay_ms);
  if (o.drain_delay_ms > 0) {
    timespec delay{o.drain_delay_ms / 1000, static_cast<long>(o.drain_delay_ms % 1000) * 1000000};
    if (sigtimedwait(&set, nullptr, &delay) > 0) spdlog::info("second signal: stopping now");
  }
  server.Stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& parent, Runner& run) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd =
      parent.add_subcommand("serve", "run the REST API (add --demo for a ready-to-try set-up)");
  cmd->footer(
      "Runs the REST API v1 until SIGINT, SIGTERM or SIGHUP: then /readyz answers 503 for\n"
      "--drain-delay-ms, the listener closes and the requests in flight finish.\n"
      "Without --demo the database must exist and be migrated (`loyalty migrate`), and hold a\n"
      "programme (`loyalty program apply FILE`): the version in force when it starts is served\n"
      "until it stops. --demo applies the built-in demo programme to a database that has none.");
  AddDbOptions(*cmd, o->db, /*writes=*/true);
  cmd->add_option("--program", o->program,
                  "refuse to start unless this programme JSON is the version in\n"
                  "force in the database (with --demo on an empty database:\n"
                  "apply it first)")
      ->type_name("FILE");
  cmd->add_option("--host", o->host, "address to listen on (default 127.0.0.1)")->type_name("HOST");
  cmd->add_option("--port", o->port, "port (default 8080; 0 picks a free one)")
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535).description(""));
  cmd->add_option("--threads", o->threads,
                  "workers serving complete requests (default 32); slow and\n"
                  "idle connections hold none")
      ->type_name("N")
      ->check(CLI::Range(1, 4096).description(""));
  cmd->add_option("--max-queued", o->max_queued,
                  "complete requests waiting for a worker; beyond: 503\n(default 256)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000).description(""));
  cmd->add_option("--max-connections", o->max_connections,
                  "open connections; beyond: the longest-idle one closes,\n"
                  "else 503 (default 10000)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000).description(""));
  cmd->add_option("--header-timeout-ms", o->header_timeout_ms,
                  "request line and headers must arrive within this\n(default 5000; else 408)")
      ->type_name("MS")
      ->check(CLI::Range(1, 3600000).description(""));
  cmd->add_option("--body-timeout-ms", o->body_timeout_ms,
                  "the whole body must arrive within this (default 10000;\nelse 408)")
      ->type_name("MS")
      ->check(CLI::Range(1, 3600000).description(""));
  cmd->add_option("--keep-alive-timeout-ms", o->keep_alive_timeout_ms,
                  "idle keep-alive connections close after this (default\n"
                  "15000; 1000 under pressure)")
      ->type_name("MS")
      ->check(CLI::Range(1, 3600000).description(""));
  cmd->add_option("--queue-wait-ms", o->queue_wait_ms,
                  "a request waiting longer for a worker gets 503\n(default 1000)")
      ->type_name("MS")
      ->check(CLI::Range(1, 3600000).description(""));
  cmd->add_option("--drain-delay-ms", o->drain_delay_ms,
                  "on a stop signal, /readyz answers 503 this long before\n"
                  "the listener closes (default 2000)")
      ->type_name("MS")
      ->check(CLI::Range(0, 3600000).description(""));
  cmd->add_option("--drain-grace-ms", o->drain_grace_ms,
                  "then requests in flight get this long to finish\n(default 10000)")
      ->type_name("MS")
      ->check(CLI::Range(0, 3600000).description(""));
  cmd->add_option("--writers", o->writers,
                  "write sessions of the group-commit executor (default:\nSQLite 1, MySQL 4)")
      ->type_name("N")
      ->check(CLI::Range(1, 64).description(""));
  cmd->add_flag("--demo", o->demo,
                "create and migrate the database if needed, and print a\n"
                "fresh API key for every role");
  CLI::Option* url = cmd->add_option("--webhook-url", o->webhook_url,
                                     "also push messages to this http:// or https:// URL,\n"
                                     "signed (docs/messages.md)")
                         ->type_name("URL");
  CLI::Option* secret =
      cmd->add_option("--webhook-secret-file", o->webhook_secret_file,
                      "the HMAC-SHA256 signing secret (at least 16 bytes; trailing\n"
                      "newline ignored); default $LOYALTY_WEBHOOK_SECRET")
          ->type_name("FILE");
  CLI::Option* previous =
      cmd->add_option("--webhook-previous-secret-file", o->webhook_previous_secret_file,
                      "during a secret rotation: the old secret; each delivery is\n"
                      "signed with both until this flag is dropped")
          ->type_name("FILE");
  CLI::Option* ca_file = cmd->add_option("--webhook-ca-file", o->webhook_ca_file,
                                         "https: PEM CA certificates to trust besides the\n"
                                         "system store (a private CA)")
                             ->type_name("FILE");
  CLI::Option* attempts = cmd->add_option("--webhook-max-attempts", o->webhook_max_attempts,
                                          "failed deliveries before dead letter (default 8)")
                              ->type_name("N")
                              ->check(CLI::Range(1, 100).description(""));
  CLI::Option* backoff =
      cmd->add_option("--webhook-backoff-seconds", o->webhook_backoff_seconds,
                      "first retry delay, doubled per attempt up to 1 h\n(default 30)")
          ->type_name("S")
          ->check(CLI::Range(1, 86400).description(""));
  cmd->callback([&run, o, url, secret, previous, ca_file, attempts, backoff] {
    o->has_webhook_url = url->count() > 0;
    o->has_webhook_secret_file = secret->count() > 0;
    o->has_webhook_previous_secret_file = previous->count() > 0;
    o->has_webhook_ca_file = ca_file->count() > 0;
    o->has_webhook_max_attempts = attempts->count() > 0;
    o->has_webhook_backoff_seconds = backoff->count() > 0;
    run = [o] { return Serve(*o); };
  });
}

}  // namespace loyalty::cli
