// The config file (--config, $LOYALTY_CONFIG; app/config_file.h) and the logging set-up
// (--log-level, --json-logs; app/logging.h), through the real binary (tests/app/cli_run.h).
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

bool Serving(const std::string& out) { return out.find("is serving http://") != std::string::npos; }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// A port nothing listens on right now (bound to 0, then released).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text;
  }
  CliRun Loyalty(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {}) {
    return RunLoyalty(args, dir_.path(), env);
  }
  bool Exists(const std::string& name) const { return std::filesystem::exists(dir_.File(name)); }
  TempDir dir_;
};

TEST_F(ConfigFileTest, TopLevelDbIsTheDatabaseOfEveryCommandAndTheFlagWins) {
  Write("c.toml", "db = \"from-file.db\"\n");
  CliRun from_file = Loyalty({"migrate", "--config", "c.toml"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.all();
  EXPECT_TRUE(Exists("from-file.db"));

  CliRun flag = Loyalty({"--config", "c.toml", "migrate", "--db", "from-flag.db"});
  ASSERT_EQ(flag.exit_code, 0) << flag.all();
  EXPECT_TRUE(Exists("from-flag.db"));
  // The file's database is the default of `check` too (and exists now: exit 0 or 1, never 2).
  CliRun check = Loyalty({"check", "--config", "c.toml"});
  EXPECT_NE(check.exit_code, 2) << check.all();
}

TEST_F(ConfigFileTest, TheFileBeatsTheEnvironmentsDbAndASectionDbBeatsTheTopLevelOne) {
  Write("c.toml", "db = \"top.db\"\n[migrate]\ndb = \"section.db\"\n");
  CliRun r = Loyalty({"migrate", "--config", "c.toml"}, {{"LOYALTY_DB", "env.db"}});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_TRUE(Exists("section.db"));
  EXPECT_FALSE(Exists("top.db"));
  EXPECT_FALSE(Exists("env.db"));
}

TEST_F(ConfigFileTest, LoyaltyConfigIsTheDefaultFileAndMustExist) {
  Write("env.toml", "db = \"via-env.db\"\n");
  CliRun r = Loyalty({"migrate"}, {{"LOYALTY_CONFIG", "env.toml"}});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_TRUE(Exists("via-env.db"));

  CliRun missing = Loyalty({"migrate"}, {{"LOYALTY_CONFIG", "nowhere.toml"}});
  EXPECT_EQ(missing.exit_code, 2) << missing.all();
  EXPECT_NE(missing.err.find("nowhere.toml"), std::string::npos) << missing.err;
  CliRun flag_missing = Loyalty({"migrate", "--config", "nowhere.toml"});
  EXPECT_EQ(flag_missing.exit_code, 2) << flag_missing.all();
}

TEST_F(ConfigFileTest, ServeOptionsComeFromItsTableAndTheCommandLineWins) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  Write("c.toml", "db = \"s.db\"\n[serve]\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) +
                      "\ndrain-delay-ms = 0\nthreads = 2\n");
  CliRun from_file =
      RunLoyalty({"serve", "--demo", "--config", "c.toml"}, dir_.path(), {}, 30, Serving);
  EXPECT_EQ(from_file.exit_code, 0) << from_file.all();
  EXPECT_NE(from_file.out.find("http://127.0.0.1:" + std::to_string(port) + " "), std::string::npos)
      << from_file.out;
  EXPECT_NE(from_file.all().find("draining in 0 ms"), std::string::npos) << from_file.all();

  CliRun flag = RunLoyalty({"serve", "--config", "c.toml", "--port", "0", "--drain-delay-ms", "5"},
                           dir_.path(), {}, 30, Serving);
  EXPECT_EQ(flag.exit_code, 0) << flag.all();
  EXPECT_EQ(flag.out.find(":" + std::to_string(port) + " "), std::string::npos) << flag.out;
  EXPECT_NE(flag.all().find("draining in 5 ms"), std::string::npos) << flag.all();
}

TEST_F(ConfigFileTest, UnknownKeysAndTablesAreRefusedByNameAndNothingRuns) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[serve]\nprot = 8080\n", "unknown key serve.prot"},
      {"[srve]\nport = 8080\n", "unknown table [srve]"},
      {"database = \"x.db\"\n", "unknown key database"},
      {"[serve]\nhelp = true\n", "unknown key serve.help"},
      {"[jobs.daily]\ndry-runn = true\n", "unknown key jobs.daily.dry-runn"},
      {"[serve\nport = 1\n", "line 2"},  // the line of the file, after its db line
  };
  for (const auto& [text, message] : cases) {
    Write("c.toml", "db = \"never.db\"\n" + text);
    CliRun r = Loyalty({"migrate", "--config", "c.toml"});
    EXPECT_EQ(r.exit_code, 2) << text << r.all();
    EXPECT_NE(r.err.find(message), std::string::npos) << text << r.err;
    EXPECT_FALSE(Exists("never.db")) << text;
  }
}

TEST_F(ConfigFileTest, ValuesOfTheWrongTypeOrOutOfRangeAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[serve]\nport = \"8080\"\n", "serve.port must be an integer"},
      {"[serve]\nhost = 127\n", "serve.host must be a string"},
      {"json-logs = \"yes\"\n", "json-logs must be a boolean"},
      {"db = 5\n", "db must be a string"},
      {"[serve]\nthreads = 1.5\n", "serve.threads must be an integer"},
      {"[serve]\nport = 70000\n", "70000"},
      {"log-level = \"loud\"\n", "loud"},
  };
  for (const auto& [text, message] : cases) {
    Write("c.toml", text);
    CliRun r = Loyalty({"migrate", "--db", "never.db", "--config", "c.toml"});
    EXPECT_EQ(r.exit_code, 2) << text << r.all();
    EXPECT_NE(r.err.find(message), std::string::npos) << text << r.err;
    EXPECT_FALSE(Exists("never.db")) << text;
  }
}

TEST_F(ConfigFileTest, TheShippedConfigIsAccepted) {
  const std::string shipped = std::string(LOYALTY_SOURCE_DIR) + "/deploy/loyalty.toml";
  CliRun r = Loyalty({"migrate", "--config", shipped, "--db", "shipped.db"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
}

// Text lines carry an RFC 3339 timestamp with its offset; --log-level hides what is below it.
TEST_F(ConfigFileTest, TextLogLinesHaveRfc3339TimestampsAndLogLevelFilters) {
  CliRun info =
      RunLoyalty({"serve", "--demo", "--port", "0", "--db", "t.db", "--drain-delay-ms", "0"},
                 dir_.path(), {{"TZ", "Asia/Seoul"}}, 30, Serving);
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const std::regex stamped(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00 \[info\] signal 15 received)");
  bool found = false;
  for (const std::string& line : Lines(info.out)) found = found || std::regex_search(line, stamped);
  EXPECT_TRUE(found) << info.out;

  CliRun warn = RunLoyalty({"serve", "--demo", "--port", "0", "--db", "t.db", "--drain-delay-ms",
                            "0", "--log-level", "warn"},
                           dir_.path(), {}, 30, Serving);
  ASSERT_EQ(warn.exit_code, 0) << warn.all();
  EXPECT_EQ(warn.out.find("signal 15 received"), std::string::npos) << warn.out;
  EXPECT_EQ(warn.out.find("[info]"), std::string::npos) << warn.out;
}

// --json-logs (flag or file, before or after the command): every line on stdout is one JSON
// object, the start-up, demo key and drain lines included.
TEST_F(ConfigFileTest, JsonLogsMakeEveryLineJson) {
  Write("c.toml", "json-logs = true\n");
  const std::vector<std::vector<std::string>> runs = {
      {"--json-logs", "serve", "--demo", "--port", "0", "--db", "j.db", "--drain-delay-ms", "0"},
      {"serve", "--port", "0", "--db", "j.db", "--drain-delay-ms", "0", "--json-logs"},
      {"serve", "--port", "0", "--db", "j.db", "--drain-delay-ms", "0", "--config", "c.toml"},
  };
  for (const std::vector<std::string>& args : runs) {
    CliRun r = RunLoyalty(args, dir_.path(), {}, 30, Serving);
    ASSERT_EQ(r.exit_code, 0) << r.all();
    const std::vector<std::string> lines = Lines(r.out);
    ASSERT_GE(lines.size(), 3u) << r.out;  // start-up, signal, stopped
    for (const std::string& line : lines) {
      Poco::JSON::Parser parser;
      Poco::JSON::Object::Ptr o;
      ASSERT_NO_THROW(o = parser.parse(line).extract<Poco::JSON::Object::Ptr>()) << line;
      EXPECT_TRUE(o->has("ts") && o->has("level") && o->has("msg")) << line;
      EXPECT_TRUE(std::regex_match(o->getValue<std::string>("ts"),
                                   std::regex(R"(\d{4}-\d\d-\d\dT[\d:]{8}\.\d{3}[+-]\d\d:\d\d)")))
          << line;
    }
    EXPECT_NE(r.out.find("is serving http://"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("signal 15 received"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace loyalty::clitest
