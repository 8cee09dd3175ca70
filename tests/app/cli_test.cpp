// The `loyalty` command line, run as a user would (tests/app/cli_run.h): every example of issue 9
// that the old hand-written parser got wrong is refused with exit 2 and creates nothing, no
// secret is ever printed, and the ordinary commands still work.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

using Args = std::vector<std::string>;

std::string Joined(const Args& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

// The version CMakeLists.txt gives the project: what --version must print.
std::string ProjectVersion() {
  const std::string cmake = ReadFile(std::string(LOYALTY_SOURCE_DIR) + "/CMakeLists.txt");
  std::smatch m;
  if (!std::regex_search(cmake, m, std::regex(R"(project\(loyalty\s+VERSION\s+([0-9.]+))"))) {
    return "?";
  }
  return m[1];
}

// Every command path of the binary; each must answer --help and --version.
const std::vector<Args>& CommandPaths() {
  static const std::vector<Args> paths = {
      {},
      {"serve"},
      {"migrate"},
      {"keys"},
      {"keys", "create"},
      {"keys", "list"},
      {"keys", "revoke"},
      {"check"},
      {"jobs"},
      {"jobs", "daily"},
      {"jobs", "simulate"},
      {"program"},
      {"program", "check"},
      {"program", "show"},
      {"program", "apply"},
      {"program", "history"},
      {"version"},
  };
  return paths;
}

class CliTest : public ::testing::Test {
 protected:
  CliRun Loyalty(const Args& args, const std::map<std::string, std::string>& env = {}) {
    return RunLoyalty(args, dir_.path(), env);
  }
  // A migrated SQLite database at `name` in the work directory, with the built-in demo
  // programme applied (the commands read the programme from the database).
  void Migrate(const std::string& name) {
    CliRun r = Loyalty({"migrate", "--db", name});
    ASSERT_EQ(r.exit_code, 0) << r.all();
    CliRun applied = Loyalty({"program", "apply", "demo", "--db", name});
    ASSERT_EQ(applied.exit_code, 0) << applied.all();
  }
  std::string Db(const std::string& name) const { return ReadFile(dir_.File(name)); }
  std::vector<std::string> Files() const { return Listing(dir_.path()); }

  TempDir dir_;
};

// issue 9: `jobs daily --db x.db --dryrun --date 2026-12-04` ran the job for real.
TEST_F(CliTest, DryRunTypoIsRefusedWithTheRightSpellingAndWritesNothing) {
  Migrate("x.db");
  const std::string before = Db("x.db");
  const std::vector<std::string> files = Files();
  ASSERT_FALSE(before.empty());

  CliRun r = Loyalty({"jobs", "daily", "--db", "x.db", "--dryrun", "--date", "2026-12-04"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("unknown option --dryrun; did you mean --dry-run?"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("DRY RUN"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("daily job for"), std::string::npos) << r.out;
  EXPECT_EQ(Db("x.db"), before) << "the refused command wrote to the database";
  EXPECT_EQ(Files(), files);

  // No job_runs row was written: a real run now runs every step (none "already done").
  CliRun real = Loyalty({"jobs", "daily", "--db", "x.db"});
  ASSERT_EQ(real.exit_code, 0) << real.all();
  EXPECT_EQ(real.out.find("skipped"), std::string::npos) << real.out;
}

// issue 9: `serve --bogus --db nothere.db` let --bogus swallow --db and opened the default
// database.
TEST_F(CliTest, ServeWithAnUnknownOptionStartsNothingAndCreatesNothing) {
  CliRun r = Loyalty({"serve", "--bogus", "--db", "nothere.db"});
  EXPECT_EQ(r.exit_code, 2) << r.all();  // -1 would mean it started serving
  EXPECT_NE(r.err.find("unknown option --bogus"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("serving"), std::string::npos) << r.out;
  EXPECT_TRUE(Files().empty()) << Files().front();  // neither nothere.db nor var/loyalty.db
}

// issue 9: `check --db none.db` created an empty none.db.
TEST_F(CliTest, CheckOnAMissingDatabaseCreatesNothing) {
  for (const Args& args : std::vector<Args>{{"check", "--db", "none.db"},
                                            {"check", "--db", "sub/dir/none.db"},
                                            {"check", "--db", "sqlite:none.db"},
                                            {"check"}}) {  // the default, var/loyalty.db
    CliRun r = Loyalty(args);
    EXPECT_EQ(r.exit_code, 2) << Joined(args) << "\n" << r.all();
    EXPECT_NE(r.err.find("no database file"), std::string::npos) << r.err;
    EXPECT_TRUE(Files().empty()) << Joined(args) << " created " << Files().front();
  }
  CliRun r = Loyalty({"check"}, {{"LOYALTY_DB", "env.db"}});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("env.db"), std::string::npos) << r.err;
  EXPECT_TRUE(Files().empty());
}

// Only `migrate` and `serve --demo` create a database; everything else refuses a missing one.
TEST_F(CliTest, NoOtherCommandCreatesADatabase) {
  const std::vector<Args> commands = {
      {"keys", "list", "--db", "k/none.db"},
      {"keys", "create", "--role", "checkout", "--db", "k/none.db"},
      {"keys", "revoke", "--name", "x", "--db", "k/none.db"},
      {"jobs", "daily", "--dry-run", "--db", "k/none.db"},
      {"jobs", "daily", "--db", "k/none.db"},
      {"jobs", "simulate", "--program", "demo", "--db", "k/none.db"},
      {"serve", "--port", "0", "--db", "k/none.db"},
      {"program", "show"},
      {"program", "check", "missing.json"},
  };
  for (const Args& args : commands) {
    CliRun r = Loyalty(args);
    if (args[0] != "program") {
      EXPECT_EQ(r.exit_code, 2) << Joined(args) << "\n" << r.all();
      EXPECT_NE(r.err.find("no database file 'k/none.db'"), std::string::npos) << r.err;
    }
    EXPECT_TRUE(Files().empty()) << Joined(args) << " created " << Files().front();
  }
}

// issue 9: `check --db postgres://x/y` created a directory `postgres:` and an SQLite file in it.
TEST_F(CliTest, UnknownDatabaseSchemesAreRefused) {
  for (const std::string db : {"postgres://x/y", "postgres:x", "postgresql://u:pw@h/db", "mysql:x",
                               "MYSQL://u@h/db", "http://h/db", "file:x.db"}) {
    for (const Args& args : std::vector<Args>{
             {"check", "--db", db}, {"migrate", "--db", db}, {"keys", "list", "--db", db}}) {
      CliRun r = Loyalty(args);
      EXPECT_EQ(r.exit_code, 2) << Joined(args) << "\n" << r.all();
      EXPECT_NE(r.err.find("--db"), std::string::npos) << r.err;
      EXPECT_TRUE(Files().empty()) << Joined(args) << " created " << Files().front();
    }
  }
  CliRun r = Loyalty({"check", "--db", "postgres://x/y"});
  EXPECT_NE(r.err.find("unknown database scheme 'postgres:'"), std::string::npos) << r.err;
  // The same from the environment.
  CliRun env = Loyalty({"migrate"}, {{"LOYALTY_DB", "postgres://x/y"}});
  EXPECT_EQ(env.exit_code, 2) << env.all();
  EXPECT_TRUE(Files().empty());
  // A file name with a colon is still possible, spelled as a path.
  CliRun path = Loyalty({"migrate", "--db", "./a:b.db"});
  EXPECT_EQ(path.exit_code, 0) << path.all();
  EXPECT_EQ(Files(), std::vector<std::string>{"a:b.db"});
}

// issue 9: `loyalty --version` failed.
TEST_F(CliTest, VersionOnEveryCommand) {
  const std::string expected = "loyalty " + ProjectVersion() + "\n";
  for (Args args : CommandPaths()) {
    args.push_back("--version");
    CliRun r = Loyalty(args);
    EXPECT_EQ(r.exit_code, 0) << Joined(args) << "\n" << r.all();
    EXPECT_EQ(r.out, expected) << Joined(args);
  }
  CliRun r = Loyalty({"version"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, expected);
  EXPECT_TRUE(Files().empty());
}

TEST_F(CliTest, HelpOnEveryCommand) {
  for (const Args& path : CommandPaths()) {
    for (const char* flag : {"--help", "-h"}) {
      Args args = path;
      args.push_back(flag);
      CliRun r = Loyalty(args);
      EXPECT_EQ(r.exit_code, 0) << Joined(args) << "\n" << r.all();
      const std::string usage = "Usage: loyalty" + (path.empty() ? "" : " " + Joined(path));
      EXPECT_NE(r.out.find(usage), std::string::npos) << Joined(args) << "\n" << r.out;
    }
  }
  CliRun top = Loyalty({"--help"});
  for (const char* command : {"serve", "migrate", "keys", "check", "jobs", "program", "version"}) {
    EXPECT_NE(top.out.find(std::string("  ") + command + " "), std::string::npos) << command;
  }
  // The exit codes are documented.
  EXPECT_NE(top.out.find("Exit status"), std::string::npos) << top.out;
  for (const char* code : {"  0  ", "  1  ", "  2  "}) {
    EXPECT_NE(top.out.find(code), std::string::npos) << code << "\n" << top.out;
  }
  CliRun help = Loyalty({"help", "jobs", "daily"});
  EXPECT_EQ(help.exit_code, 0) << help.all();
  EXPECT_NE(help.out.find("Usage: loyalty jobs daily"), std::string::npos) << help.out;
  // No command at all: the help, as a usage error.
  CliRun none = Loyalty({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("Usage: loyalty"), std::string::npos) << none.err;
  EXPECT_TRUE(Files().empty());
}

// The help of `jobs daily` lists the steps the job really runs, in the order it runs them (the
// demo programme enables every message type, so every step runs).
TEST_F(CliTest, DailyHelpListsTheStepsTheJobRuns) {
  Migrate("x.db");
  CliRun job = Loyalty({"jobs", "daily", "--dry-run", "--db", "x.db"});
  ASSERT_EQ(job.exit_code, 0) << job.all();
  std::vector<std::string> ran;
  const std::regex step_line(R"(^  ([a-z_]+) +[0-9]+ scanned)");
  std::istringstream lines(job.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, step_line)) ran.push_back(m[1]);
  }
  ASSERT_EQ(ran.size(), 10u) << job.out;  // the demo programme has every message step on

  CliRun help = Loyalty({"jobs", "daily", "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.all();
  std::vector<std::string> listed;
  const std::regex listed_line(R"(^  [0-9]+\. ([a-z_]+) )");
  std::istringstream help_lines(help.out);
  for (std::string line; std::getline(help_lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, listed_line)) listed.push_back(m[1]);
  }
  EXPECT_EQ(listed, ran) << help.out;
}

// issue 9: a raw `?` in a MySQL password made the URL error print the rest of the URL, password
// included. Nothing of a password is printed, whatever the URL and the command (no MySQL server
// is needed: port 1 refuses at once).
TEST_F(CliTest, MysqlPasswordsAreNeverPrinted) {
  const std::string pw = "Zq9?x#y@Wv7";
  const std::vector<std::string> urls = {
      "mysql://u:" + pw + "@127.0.0.1:1/loyalty",       "mysql://u:Zq9?xWv7@127.0.0.1:1/loyalty",
      "mysql://u:Zq9#xWv7@127.0.0.1:1/loyalty",         "mysql://u:Zq9@xWv7@127.0.0.1:1/loyalty",
      "mysql://u:Zq9xWv7%@127.0.0.1:1/loyalty",         "mysql://u:Zq9xWv7@127.0.0.1:99999/loyalty",
      "mysql://u:Zq9xWv7@127.0.0.1:1/loyalty?nonsense", "postgres://u:Zq9xWv7@127.0.0.1:1/loyalty",
  };
  auto leaks = [](const std::string& url, const std::string& output) -> std::string {
    const size_t colon = url.find(':', url.find("://") + 3), at = url.rfind('@');
    const std::string secret = url.substr(colon + 1, at - colon - 1);
    for (size_t i = 0; i + 3 <= secret.size(); ++i) {
      if (output.find(secret.substr(i, 3)) != std::string::npos) return secret.substr(i, 3);
    }
    return "";
  };
  for (const std::string& url : urls) {
    for (const Args& args : std::vector<Args>{{"check", "--db", url},
                                              {"migrate", "--db", url},
                                              {"keys", "list", "--db", url},
                                              {"jobs", "daily", "--dry-run", "--db", url},
                                              {"serve", "--port", "0", "--db", url},
                                              {"check", url},  // --db forgotten
                                              {"program", "show", "--db=" + url}}) {
      CliRun r = Loyalty(args);
      EXPECT_NE(r.exit_code, 0) << Joined(args) << "\n" << r.all();
      EXPECT_NE(r.exit_code, -1) << Joined(args) << " did not end";
      EXPECT_FALSE(r.err.empty()) << Joined(args);
      EXPECT_EQ(leaks(url, r.all()), "") << Joined(args) << "\n" << r.all();
    }
  }
  // A password from the environment is not printed either.
  CliRun r =
      Loyalty({"check", "--db", "mysql://u@127.0.0.1:1/loyalty"}, {{"LOYALTY_DB_PASSWORD", pw}});
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_EQ(leaks("mysql://u:" + pw + "@", r.all()), "") << r.all();
  EXPECT_TRUE(Files().empty());
}

// Unknown options, unknown commands and stray arguments: exit 2, the closest valid name, and
// nothing done.
TEST_F(CliTest, UnknownOptionsAndStrayArgumentsAreUsageErrors) {
  Migrate("x.db");
  const std::string before = Db("x.db");
  struct Case {
    Args args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"jobs", "daily", "--db", "x.db", "--dryrun"}, "did you mean --dry-run?"},
      {{"jobs", "daily", "--db", "x.db", "--dryrun=true"}, "did you mean --dry-run?"},
      {{"serve", "--prot", "0", "--db", "x.db"}, "did you mean --port?"},
      {{"check", "--db", "x.db", "--programme", "p.json"}, "did you mean --program?"},
      {{"check", "--db", "x.db", "--bogus"}, "unknown option --bogus for 'loyalty check'"},
      {{"keys", "crate", "--role", "admin", "--db", "x.db"}, "did you mean 'create'?"},
      {{"chek", "--db", "x.db"}, "did you mean 'check'?"},
      {{"jobs", "dayly", "--db", "x.db"}, "did you mean 'daily'?"},
      {{"--db", "x.db", "check"}, "put it after 'check'"},
      {{"check", "x.db"}, "unexpected argument 'x.db'"},
      {{"migrate", "y.db"}, "unexpected argument 'y.db'"},  // and y.db not created
      {{"version", "now"}, "unexpected argument 'now'"},
      {{"keys"}, "needs a command: create, list or revoke"},
      {{"jobs"}, "needs a command: daily, status or simulate"},
      {{"keys", "create", "--db", "x.db"}, "--role is required"},
      {{"keys", "create", "--role", "root", "--db", "x.db"}, "--role"},
      {{"keys", "revoke", "--db", "x.db"}, "--name is required"},
      {{"jobs", "daily", "--db", "x.db", "--date", "2026-02-30"}, "--date"},
      {{"jobs", "daily", "--db", "x.db", "--shard", "4/4"}, "--shard"},
      {{"jobs", "daily", "--db", "x.db", "--date"}, "--date"},
      {{"serve", "--port", "70000", "--db", "x.db"}, "--port"},
      {{"serve", "--threads", "many", "--db", "x.db"}, "--threads"},
      {{"serve", "--synchronous", "fast", "--db", "x.db"}, "--synchronous"},
      {{"jobs", "daily", "--db", "x.db", "--db", "y.db"}, "--db"},
      {{"program", "check"}, "FILE is required"},
      {{"program", "show", "a.json", "b.json"}, "unexpected argument 'b.json'"},
  };
  for (const Case& c : cases) {
    CliRun r = Loyalty(c.args);
    EXPECT_EQ(r.exit_code, 2) << Joined(c.args) << "\n" << r.all();
    EXPECT_NE(r.err.find(c.message), std::string::npos) << Joined(c.args) << "\n" << r.err;
    EXPECT_NE(r.err.find("--help' for the options"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << Joined(c.args) << "\n" << r.out;
  }
  EXPECT_EQ(Db("x.db"), before);
  EXPECT_EQ(Files(), std::vector<std::string>{"x.db"});
}

// The ordinary path: migrate, keys, check, the daily job with and without --dry-run.
TEST_F(CliTest, MigrateKeysCheckAndTheDailyJob) {
  CliRun first = Loyalty({"migrate", "--db", "var/shop.db"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  EXPECT_NE(first.out.find("schema is current"), std::string::npos) << first.out;
  CliRun again = Loyalty({"migrate", "--db", "var/shop.db"});
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_NE(again.out.find(": 0 migration(s) applied"), std::string::npos) << again.out;

  const Args db = {"--db", "var/shop.db"};
  auto with_db = [&db](Args args) {
    args.insert(args.end(), db.begin(), db.end());
    return args;
  };
  ASSERT_EQ(Loyalty(with_db({"program", "apply", "demo"})).exit_code, 0);
  CliRun created = Loyalty(with_db({"keys", "create", "--role", "checkout", "--name", "shop-web"}));
  ASSERT_EQ(created.exit_code, 0) << created.all();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(created.out, m, std::regex("(lk_[a-z2-7]{40})\n"))) << created.out;
  const std::string token = m[1];
  EXPECT_NE(created.err.find("created key 'shop-web' with role checkout"), std::string::npos)
      << created.err;
  EXPECT_EQ(created.err.find(token), std::string::npos);

  CliRun taken = Loyalty(with_db({"keys", "create", "--role", "admin", "--name", "shop-web"}));
  EXPECT_EQ(taken.exit_code, 1) << taken.all();
  CliRun unnamed = Loyalty(with_db({"keys", "create", "--role", "jobs"}));
  EXPECT_EQ(unnamed.exit_code, 0) << unnamed.all();

  CliRun list = Loyalty(with_db({"keys", "list"}));
  ASSERT_EQ(list.exit_code, 0) << list.all();
  EXPECT_TRUE(std::regex_search(list.out, std::regex(R"(\nshop-web +checkout +\S+ +-\n)")))
      << list.out;
  EXPECT_TRUE(std::regex_search(list.out, std::regex(R"(\njobs-[0-9]+ +jobs )"))) << list.out;
  EXPECT_EQ(list.out.find(token), std::string::npos);
  EXPECT_EQ(list.out.find("lk_"), std::string::npos);

  CliRun revoked = Loyalty(with_db({"keys", "revoke", "--name", "shop-web"}));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.all();
  EXPECT_EQ(revoked.out, "revoked shop-web\n");
  CliRun listed = Loyalty(with_db({"keys", "list"}));
  EXPECT_FALSE(std::regex_search(listed.out, std::regex(R"(\nshop-web +checkout +\S+ +-\n)")))
      << listed.out;
  CliRun unknown = Loyalty(with_db({"keys", "revoke", "--name", "nobody"}));
  EXPECT_EQ(unknown.exit_code, 1) << unknown.all();

  CliRun check = Loyalty(with_db({"check"}));
  ASSERT_EQ(check.exit_code, 0) << check.all();
  EXPECT_NE(check.out.find("checked: clean"), std::string::npos) << check.out;

  const std::string before = Db("var/shop.db");
  const std::vector<std::string> files = Files();
  CliRun dry = Loyalty(with_db({"jobs", "daily", "--dry-run"}));
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_EQ(dry.out.rfind("DRY RUN (nothing written)\ndaily job for ", 0), 0u) << dry.out;
  EXPECT_EQ(Db("var/shop.db"), before);
  EXPECT_EQ(Files(), files);

  CliRun real = Loyalty(with_db({"jobs", "daily"}));
  ASSERT_EQ(real.exit_code, 0) << real.all();
  EXPECT_EQ(real.out.find("DRY RUN"), std::string::npos) << real.out;
  EXPECT_EQ(real.out.find("skipped"), std::string::npos) << real.out;  // the dry run wrote none
  CliRun rerun = Loyalty(with_db({"jobs", "daily"}));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.all();
  EXPECT_NE(rerun.out.find("nothing to do: every date up to yesterday is done"), std::string::npos)
      << rerun.out;

  CliRun simulate = Loyalty(with_db({"jobs", "simulate", "--program", "demo"}));
  EXPECT_EQ(simulate.exit_code, 0) << simulate.all();
}

// `serve --demo` creates and migrates the database and prints a key per role, once; SIGTERM
// drains and ends it with exit 0. Without --demo it serves an existing database, printing no key.
TEST_F(CliTest, ServeDemoThenServeAndStopOnSigterm) {
  auto serving = [](const std::string& out) {
    return out.find("is serving http://") != std::string::npos;
  };
  auto with_keys = [](const std::string& out) { return out.find("\nTry:\n") != std::string::npos; };
  CliRun demo = RunLoyalty({"serve", "--demo", "--port", "0", "--db", "v/demo.db"}, dir_.path(), {},
                           30, with_keys);
  EXPECT_EQ(demo.exit_code, 0) << demo.all();
  EXPECT_TRUE(serving(demo.out)) << demo.out;
  for (const char* role :
       {"checkout", "cs_agent", "cs_supervisor", "admin", "messaging", "jobs", "metrics"}) {
    EXPECT_TRUE(std::regex_search(demo.out, std::regex(std::string("\n  ") + role + " +lk_")))
        << role << "\n"
        << demo.out;
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.File("v/demo.db")));

  CliRun plain =
      RunLoyalty({"serve", "--port", "0", "--db", "v/demo.db"}, dir_.path(), {}, 30, serving);
  EXPECT_EQ(plain.exit_code, 0) << plain.all();
  EXPECT_EQ(plain.out.find("lk_"), std::string::npos) << plain.out;
}

// SIGHUP drains like SIGTERM: during --drain-delay-ms /readyz answers 503 while requests are
// still served, then the process ends with exit 0.
TEST_F(CliTest, ServeDrainsOnSighupWithReadinessFirst) {
  auto serving = [](const std::string& out) {
    return out.find("is serving http://") != std::string::npos;
  };
  int ready_status = 0, health_status = 0;
  auto probe = [&](const std::string& out) {
    const std::smatch m = [&] {
      std::smatch found;
      std::regex_search(out, found, std::regex(R"(http://127\.0\.0\.1:(\d+))"));
      return found;
    }();
    ASSERT_EQ(m.size(), 2u) << out;
    const auto get = [&](const std::string& path) {
      Poco::Net::HTTPClientSession session("127.0.0.1",
                                           static_cast<Poco::UInt16>(std::stoi(m[1].str())));
      Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
      session.sendRequest(request);
      Poco::Net::HTTPResponse response;
      session.receiveResponse(response);
      return static_cast<int>(response.getStatus());
    };
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the signal has arrived
    ready_status = get("/readyz");
    health_status = get("/healthz");
  };
  CliRun run =
      RunLoyalty({"serve", "--demo", "--port", "0", "--db", "v/hup.db", "--drain-delay-ms", "1500"},
                 dir_.path(), {}, 30, serving, SIGHUP, probe);
  EXPECT_EQ(run.exit_code, 0) << run.all();
  EXPECT_EQ(ready_status, 503);
  EXPECT_EQ(health_status, 200);
  EXPECT_NE(run.all().find("/readyz answers 503, draining in 1500 ms"), std::string::npos)
      << run.all();
}

TEST_F(CliTest, ProgramShowAndCheck) {
  CliRun show = Loyalty({"program", "show"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  EXPECT_EQ(show.out.rfind("{", 0), 0u) << show.out;
  {
    std::ofstream f(dir_.File("p.json"));
    f << show.out;
  }
  CliRun ok = Loyalty({"program", "check", "p.json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.all();
  EXPECT_NE(ok.out.find("p.json: ok"), std::string::npos) << ok.out;
  {
    std::ofstream f(dir_.File("bad.json"));
    f << "{\"version\": \"one\"}";
  }
  CliRun bad = Loyalty({"program", "check", "bad.json"});
  EXPECT_EQ(bad.exit_code, 1) << bad.all();
  EXPECT_NE(bad.err.find("bad.json: "), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace loyalty::clitest
