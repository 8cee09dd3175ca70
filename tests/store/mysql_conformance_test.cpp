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

StoreBackend MysqlBackend() {
  return StoreBackend{"Mysql", &OpenMysqlStore,
                      TestMysqlConfig().has_value() ? std::string() : MysqlSkipReason()};
}

INSTANTIATE_TEST_SUITE_P(Mysql, StoreConformance, ::testing::Values(MysqlBackend()), &BackendName);

}  // namespace
}  // namespace loyalty::testing
