// Runs the ledger scenario tests (ledger_test.cpp, ledger_tiers_test.cpp, ledger_coupons_test.cpp,
// tests/jobs/daily_job_test.cpp) and the randomized invariant test (ledger_random_test.cpp),
// built into mysql_ledger_tests, on MySQL: LedgerFixture takes its store from
// the server named by $LOYALTY_TEST_MYSQL_URL, one database per test. Skipped, with a message,
// when the variable is unset.
#include <memory>
#include <string>
#include <utility>

#include "tests/core/test_util.h"
#include "tests/store/mysql_test_backend.h"

namespace loyalty::testing {
namespace {

Result<std::unique_ptr<Store>> OpenMysqlLedgerStore(const std::string& test_path) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<MysqlStore> store, OpenMysqlTestStore(test_path));
  return std::unique_ptr<Store>(std::move(store));
}

const bool kInstalled = [] {
  LedgerBackendOverride() = LedgerBackend{
      &OpenMysqlLedgerStore, TestMysqlConfig().has_value() ? std::string() : MysqlSkipReason()};
  return true;
}();

}  // namespace
}  // namespace loyalty::testing
