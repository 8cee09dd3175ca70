// The programme lives in the database: `loyalty program apply / show / history`, and `serve`,
// `jobs` and `check` reading the version in force (app/program_source.h), run as a user would.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "api/crypto.h"
#include "app/program_codec.h"
#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

using Args = std::vector<std::string>;

class ProgramCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CliRun r = Loyalty({"migrate", "--db", "p.db"});
    ASSERT_EQ(r.exit_code, 0) << r.all();
  }
  CliRun Loyalty(Args args, const std::map<std::string, std::string>& env = {}) {
    return RunLoyalty(args, dir_.path(), env);
  }
  CliRun OnDb(Args args, const std::map<std::string, std::string>& env = {}) {
    args.push_back("--db");
    args.push_back("p.db");
    return Loyalty(args, env);
  }
  // The demo programme as `name`.json with this version and name: its canonical JSON's hash.
  std::string Write(const std::string& name, int64_t version, const std::string& programme_name,
                    const std::string& effective_date = "") {
    Result<Program> p = ParseProgramJson(DemoProgramJson());
    EXPECT_TRUE(p.ok());
    p->version = version;
    p->name = programme_name;
    p->effective_date = effective_date;
    std::ofstream(dir_.File(name)) << ProgramToJson(*p);
    return Sha256Hex(ProgramToJson(*p));
  }
  // The rows of `program history`: "VERSION AUTHOR STATE" each.
  std::vector<std::string> History() {
    CliRun r = OnDb({"program", "history"});
    EXPECT_EQ(r.exit_code, 0) << r.all();
    std::vector<std::string> rows;
    const std::regex row(R"(^(\d+) +[0-9a-f]{12} +(\S+) +\S+ +\S+ +(.+)$)");
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_match(line, m, row))
        rows.push_back(m[1].str() + " " + m[2].str() + " " + m[3].str());
    }
    return rows;
  }

  TempDir dir_;
};

TEST_F(ProgramCliTest, ApplyStoresAVersionThatShowAndHistoryName) {
  const std::string hash = Write("v1.json", 1, "Shop");
  CliRun applied = OnDb({"program", "apply", "v1.json", "--author", "alice"});
  ASSERT_EQ(applied.exit_code, 0) << applied.all();
  EXPECT_NE(applied.out.find("applied programme 'Shop' v1 (sha256 " + hash.substr(0, 12) + ")"),
            std::string::npos)
      << applied.out;

  CliRun show = OnDb({"program", "show"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  EXPECT_EQ(Sha256Hex(show.out.substr(0, show.out.size() - 1)), hash) << show.out;
  EXPECT_NE(show.err.find("programme v1 (sha256 " + hash.substr(0, 12) + ") in force"),
            std::string::npos)
      << show.err;
  EXPECT_EQ(History(), std::vector<std::string>{"1 alice in force"});
}

TEST_F(ProgramCliTest, TheSameContentAgainIsUnchanged) {
  Write("v1.json", 1, "Shop");
  ASSERT_EQ(OnDb({"program", "apply", "v1.json"}).exit_code, 0);
  CliRun again = OnDb({"program", "apply", "v1.json", "--author", "bob"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(again.out.rfind("unchanged: v1.json is already programme v1", 0), 0u) << again.out;
  EXPECT_EQ(History(), std::vector<std::string>{"1 unknown in force"});  // no $USER here
}

TEST_F(ProgramCliTest, AChangedProgrammeNeedsAHigherVersion) {
  Write("v2.json", 2, "Shop");
  ASSERT_EQ(OnDb({"program", "apply", "v2.json"}, {{"USER", "carol"}}).exit_code, 0);
  Write("v2b.json", 2, "Shop renamed");
  Write("v1.json", 1, "Shop");
  for (const char* file : {"v2b.json", "v1.json"}) {
    CliRun refused = OnDb({"program", "apply", file});
    EXPECT_EQ(refused.exit_code, 1) << refused.all();
    EXPECT_NE(refused.err.find("version 2 is already stored"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("needs a higher \"version\""), std::string::npos) << refused.err;
  }
  Write("v3.json", 3, "Shop renamed");
  ASSERT_EQ(OnDb({"program", "apply", "v3.json"}, {{"USER", "carol"}}).exit_code, 0);
  EXPECT_EQ(History(), (std::vector<std::string>{"3 carol in force", "2 carol superseded"}));
}

TEST_F(ProgramCliTest, AFutureVersionIsStoredButNotYetInForce) {
  Write("v1.json", 1, "Shop");
  Write("v2.json", 2, "Shop next year");
  ASSERT_EQ(OnDb({"program", "apply", "v1.json"}).exit_code, 0);
  CliRun scheduled = OnDb({"program", "apply", "v2.json", "--effective", "2099-01-01"});
  ASSERT_EQ(scheduled.exit_code, 0) << scheduled.all();
  EXPECT_NE(scheduled.out.find("effective 2098-12-31T15:00:00Z (scheduled)"), std::string::npos)
      << scheduled.out;
  EXPECT_EQ(History(), (std::vector<std::string>{"2 unknown scheduled", "1 unknown in force"}));
  CliRun show = OnDb({"program", "show"});
  EXPECT_NE(show.err.find("programme v1 "), std::string::npos) << show.err;
  // Going back before the scheduled version is refused: versions and instants grow together.
  Write("v3.json", 3, "Shop");
  CliRun back = OnDb({"program", "apply", "v3.json"});
  EXPECT_EQ(back.exit_code, 1) << back.all();
  EXPECT_NE(back.err.find("before version 2 takes effect"), std::string::npos) << back.err;
}

TEST_F(ProgramCliTest, AnInvalidFileIsRefusedAndStoresNothing) {
  std::ofstream(dir_.File("bad.json")) << R"({"version": 1})";
  CliRun r = OnDb({"program", "apply", "bad.json"});
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.err.find("bad.json: "), std::string::npos) << r.err;
  EXPECT_TRUE(History().empty());
}

TEST_F(ProgramCliTest, CommandsRefuseADatabaseWithoutProgramme) {
  const std::string want = "no programme in the database: run `loyalty program apply FILE`";
  for (const Args& args : std::vector<Args>{{"serve", "--port", "0"},
                                            {"jobs", "daily", "--dry-run"},
                                            {"jobs", "simulate", "--program", "demo"},
                                            {"check"}}) {
    CliRun r = OnDb(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.all();
    EXPECT_NE(r.err.find(want), std::string::npos) << args[0] << ": " << r.err;
  }
}

TEST_F(ProgramCliTest, ServeDemoSeedsTheDemoProgrammeAsVersionOne) {
  auto serving = [](const std::string& out) { return out.find("is serving") != std::string::npos; };
  CliRun demo = RunLoyalty({"serve", "--demo", "--port", "0", "--db", "fresh.db"}, dir_.path(), {},
                           30, serving);
  EXPECT_EQ(demo.exit_code, 0) << demo.all();
  const std::string hash = Sha256Hex(ProgramToJson(*ParseProgramJson(DemoProgramJson())));
  EXPECT_NE(demo.out.find("v1 (sha256 " + hash.substr(0, 12) + ")"), std::string::npos) << demo.out;
  CliRun history = Loyalty({"program", "history", "--db", "fresh.db"});
  EXPECT_TRUE(std::regex_search(history.out, std::regex(R"(\n1 +[0-9a-f]{12} +demo +)")))
      << history.out;
  // The quick start again: the stored version is served, nothing new is applied.
  CliRun again = RunLoyalty({"serve", "--demo", "--port", "0", "--db", "fresh.db"}, dir_.path(), {},
                            30, serving);
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(Loyalty({"program", "history", "--db", "fresh.db"}).out, history.out);
}

TEST_F(ProgramCliTest, AProgramFlagMustBeTheVersionInForce) {
  const std::string h1 = Write("v1.json", 1, "Shop");
  const std::string h2 = Write("v2.json", 2, "Shop next");
  // In force since January: the job catches up past dates, each with the version of its day.
  ASSERT_EQ(OnDb({"program", "apply", "v1.json", "--effective", "2026-01-01"}).exit_code, 0);
  for (const Args& args : std::vector<Args>{{"serve", "--port", "0", "--program", "v2.json"},
                                            {"jobs", "daily", "--dry-run", "--program", "v2.json"},
                                            {"check", "--program", "v2.json"}}) {
    CliRun r = OnDb(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.all();
    EXPECT_NE(r.err.find("--program"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(h1), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(h2), std::string::npos) << r.err;
  }
  CliRun check = OnDb({"check", "--program", "v1.json"});
  EXPECT_EQ(check.exit_code, 0) << check.all();
  EXPECT_NE(check.out.find("(programme v1 (sha256 " + h1.substr(0, 12) + "))"), std::string::npos)
      << check.out;
  CliRun daily = OnDb({"jobs", "daily", "--dry-run", "--program", "v1.json"});
  EXPECT_EQ(daily.exit_code, 0) << daily.all();
  EXPECT_NE(daily.out.find("programme 'Shop' v1 (sha256 " + h1.substr(0, 12) + ")"),
            std::string::npos)
      << daily.out;
}

}  // namespace
}  // namespace loyalty::clitest
