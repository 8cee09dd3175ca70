// Runs the store conformance suite (store_fixture.h) against SqliteStore, one database file in
// each test's temporary directory.
#include <memory>
#include <string>
#include <utility>

#include "store/sqlite/sqlite_store.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& test_dir) {
  SqliteOptions opts;
  opts.busy_timeout_ms = 1000;  // a deadlocked test fails fast rather than hanging
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store,
                           SqliteStore::Open(test_dir + "/loyalty.db", opts));
  return std::unique_ptr<Store>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreBackend{"Sqlite", &OpenSqliteStore}), &BackendName);

}  // namespace
}  // namespace loyalty::testing
