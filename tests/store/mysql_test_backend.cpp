#include "tests/store/mysql_test_backend.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <utility>

namespace loyalty::testing {

namespace {

std::mutex g_mu;
std::set<std::string> g_created;  // databases made by this process and not dropped yet

// Drops the databases a test made once it has ended (its stores are closed by then).
class DropDatabasesAfterEachTest : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo&) override {
    std::set<std::string> names;
    {
      std::lock_guard<std::mutex> lock(g_mu);
      names.swap(g_created);
    }
    std::optional<MysqlConfig> config = TestMysqlConfig();
    if (!config) return;
    for (const std::string& name : names) {
      config->database = name;
      Status dropped = MysqlStore::DropDatabase(*config);
      if (!dropped.ok()) std::fprintf(stderr, "warning: %s\n", dropped.ToString().c_str());
    }
  }
};

// Installed before main() runs (the listener list may be appended to at any time).
const bool kListenerInstalled = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new DropDatabasesAfterEachTest);
  return true;
}();

}  // namespace

std::optional<MysqlConfig> TestMysqlConfig() {
  const char* url = std::getenv("LOYALTY_TEST_MYSQL_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  Result<MysqlConfig> config = ParseMysqlUrl(url);
  if (!config.ok()) {
    std::fprintf(stderr, "LOYALTY_TEST_MYSQL_URL: %s\n", config.status().ToString().c_str());
    std::abort();
  }
  config->lock_wait_timeout_s = 2;  // a lock a test forgot fails the test fast
  config->read_timeout_s = 5;
  return std::move(config).value();
}

std::string MysqlSkipReason() {
  return "LOYALTY_TEST_MYSQL_URL not set: MySQL tests skipped (start a server with "
         "`scripts/mariadb.sh start` and export LOYALTY_TEST_MYSQL_URL=$(scripts/mariadb.sh url))";
}

std::string TestDatabaseName(const std::string& test_dir) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : test_dir) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char name[40];
  std::snprintf(name, sizeof name, "loyalty_t_%016llx", static_cast<unsigned long long>(hash));
  return name;
}

Result<std::unique_ptr<MysqlStore>> OpenMysqlTestStore(
    const std::string& test_dir, const std::function<void(MysqlConfig&)>& adjust) {
  std::optional<MysqlConfig> config = TestMysqlConfig();
  if (!config) return Status(Code::kUnavailable, MysqlSkipReason());
  if (adjust) adjust(*config);
  config->database = TestDatabaseName(test_dir);
  bool first_use = false;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    first_use = g_created.insert(config->database).second;
  }
  if (first_use) {  // fresh: a crashed earlier run may have left one with the same name
    LOYALTY_RETURN_IF_ERROR(MysqlStore::DropDatabase(*config));
    LOYALTY_RETURN_IF_ERROR(MysqlStore::CreateDatabase(*config));
  }
  return MysqlStore::Open(*config);
}

}  // namespace loyalty::testing
