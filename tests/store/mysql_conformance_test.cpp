// Runs the store conformance suite (store_fixture.h) against MysqlStore on the server named by
// $LOYALTY_TEST_MYSQL_URL, one database per test (mysql_test_backend.h). Skipped, with a
// message, when the variable is unset.
#include <memory>
#include <string>
#include <utility>

#include "tests/store/mysql_test_backend.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

Result<std::unique_ptr<Store>> OpenMysqlStore(const std::string& test_dir) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<MysqlStore> store, OpenMysqlTestStore(test_dir));
  return std::unique_ptr<Store>(std::move(store));
}

// The same without INSERT ... RETURNING: the code path MySQL servers take (LAST_INSERT_ID()).
Result<std::unique_ptr<Store>> OpenMysqlStoreWithoutReturning(const std::string& test_dir) {
  LOYALTY_ASSIGN_OR_RETURN(
      std::unique_ptr<MysqlStore> store,
      OpenMysqlTestStore(test_dir, [](MysqlConfig& c) { c.use_returning = false; }));
  return std::unique_ptr<Store>(std::move(store));
}

std::string SkipReason() {
  return TestMysqlConfig().has_value() ? std::string() : MysqlSkipReason();
}

INSTANTIATE_TEST_SUITE_P(Mysql, StoreConformance,
                         ::testing::Values(StoreBackend{"Mysql", &OpenMysqlStore, SkipReason()},
                                           StoreBackend{"MysqlLastInsertId",
                                                        &OpenMysqlStoreWithoutReturning,
                                                        SkipReason()}),
                         &BackendName);

}  // namespace
}  // namespace loyalty::testing
