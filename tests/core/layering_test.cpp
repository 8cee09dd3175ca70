// core must stay pure C++: no POCO, no SQL client, no logging library (docs/architecture.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

const std::regex& Forbidden() {
  static const std::regex kForbidden(
      R"(#\s*include\s*[<"](Poco/|sqlite3|mysql|cppconn/|spdlog/|fmt/|store/|api/|jobs/))");
  return kForbidden;
}

TEST(LayeringTest, CoreIncludesNoPocoSqlOrLogging) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(LOYALTY_SOURCE_DIR) + "/core")) {
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    ++files;
    while (std::getline(in, line)) {
      ++n;
      EXPECT_FALSE(std::regex_search(line, Forbidden()))
          << entry.path().filename() << ":" << n << ": " << line;
    }
  }
  EXPECT_GT(files, 10);  // the scan really saw core/
}

TEST(LayeringTest, TheScanCatchesForbiddenIncludes) {
  for (const char* line : {"#include <Poco/JSON/Object.h>", "#include \"sqlite3.h\"",
                           "#include <spdlog/spdlog.h>", "#include <cppconn/driver.h>",
                           "#include \"store/sqlite/sqlite_store.h\""}) {
    EXPECT_TRUE(std::regex_search(std::string(line), Forbidden())) << line;
  }
  EXPECT_FALSE(std::regex_search(std::string("#include \"core/ledger.h\""), Forbidden()));
}

}  // namespace
