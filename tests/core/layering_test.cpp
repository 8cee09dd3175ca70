// The dependency rules of the tree (docs/architecture.md), checked on every source file:
//  - core/ is pure C++: no POCO, no SQL client, no logging library, nothing above it;
//  - store/ knows core/ and, of api/, only the records interface it implements (api/records.h);
//    store/sql/ knows no engine; each engine directory knows only its own client library;
//  - jobs/ knows core/ and its logging only: no store, no HTTP;
//  - api/ is HTTP only: no engine, no store internals, no jobs;
//  - app/ wires everything together (and is the only place that may).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

struct Rule {
  const char* dir;      // relative to the source root
  const char* pattern;  // an #include line matching it is forbidden there
};

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"core",
       R"(#\s*include\s*[<"](Poco/|sqlite3|mysql|cppconn/|spdlog/|fmt/|CLI/|store/|api/|jobs/|app/))"},
      {"store/sql",
       R"(#\s*include\s*[<"](Poco/|sqlite3|mysql|cppconn/|spdlog/|CLI/|store/sqlite/|store/mysql/|jobs/|app/|api/(?!records\.h)))"},
      {"store/sqlite",
       R"(#\s*include\s*[<"](Poco/|mysql|cppconn/|spdlog/|CLI/|store/mysql/|jobs/|app/|api/(?!records\.h)))"},
      {"store/mysql",
       R"(#\s*include\s*[<"](Poco/|sqlite3|spdlog/|CLI/|store/sqlite/|jobs/|app/|api/(?!records\.h)))"},
      {"jobs", R"(#\s*include\s*[<"](Poco/|sqlite3|mysql|cppconn/|CLI/|store/|api/|app/))"},
      {"api", R"(#\s*include\s*[<"](sqlite3|mysql|cppconn/|CLI/|store/|jobs/|app/))"},
  };
  return kRules;
}

bool Forbidden(const Rule& rule, const std::string& line) {
  return std::regex_search(line, std::regex(rule.pattern));
}

const Rule& RuleFor(const std::string& dir) {
  for (const Rule& rule : Rules()) {
    if (dir == rule.dir) return rule;
  }
  ADD_FAILURE() << "no rule for " << dir;
  return Rules().front();
}

TEST(LayeringTest, EveryDirectoryIncludesOnlyWhatItMayKnow) {
  for (const Rule& rule : Rules()) {
    const std::regex forbidden(rule.pattern);
    int files = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(LOYALTY_SOURCE_DIR) + "/" + rule.dir)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cpp") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      int n = 0;
      while (std::getline(in, line)) {
        ++n;
        EXPECT_FALSE(std::regex_search(line, forbidden))
            << rule.dir << "/" << entry.path().filename().string() << ":" << n << ": " << line;
      }
    }
    EXPECT_GT(files, 1) << "the scan really saw " << rule.dir;
  }
}

TEST(LayeringTest, TheScanCatchesForbiddenIncludes) {
  const Rule& core = RuleFor("core");
  for (const char* line : {"#include <Poco/JSON/Object.h>", "#include \"sqlite3.h\"",
                           "#include <spdlog/spdlog.h>", "#include <cppconn/driver.h>",
                           "#include \"store/sqlite/sqlite_store.h\"", "#include \"app/cli.h\""}) {
    EXPECT_TRUE(Forbidden(core, line)) << line;
  }
  EXPECT_FALSE(Forbidden(core, "#include \"core/ledger.h\""));

  const Rule& jobs = RuleFor("jobs");
  EXPECT_TRUE(Forbidden(jobs, "#include \"store/sqlite/sqlite_store.h\""));
  EXPECT_TRUE(Forbidden(jobs, "#include \"api/server.h\""));
  EXPECT_FALSE(Forbidden(jobs, "#include <spdlog/spdlog.h>"));

  const Rule& api = RuleFor("api");
  EXPECT_TRUE(Forbidden(api, "#include \"store/mysql/mysql_store.h\""));
  EXPECT_TRUE(Forbidden(api, "#include \"jobs/daily_job.h\""));
  EXPECT_TRUE(Forbidden(api, "#include <cppconn/driver.h>"));
  EXPECT_FALSE(Forbidden(api, "#include <Poco/Net/HTTPServer.h>"));

  const Rule& sql = RuleFor("store/sql");
  EXPECT_TRUE(Forbidden(sql, "#include <sqlite3.h>"));
  EXPECT_TRUE(Forbidden(sql, "#include \"api/server.h\""));
  EXPECT_FALSE(Forbidden(sql, "#include \"api/records.h\""));
  EXPECT_TRUE(Forbidden(RuleFor("store/mysql"), "#include \"store/sqlite/sqlite_store.h\""));
}

}  // namespace
