// The MySQL server the MySQL-labelled tests use: $LOYALTY_TEST_MYSQL_URL, e.g.
//   mysql://loyalty:loyalty-test@127.0.0.1:33306/loyalty      (scripts/mariadb.sh url)
// Its user must be allowed to create and drop databases whose names start with "loyalty".
// Every test directory gets a database of its own, named after a hash of the directory, made
// afresh on first use and dropped when the test ends. Without the variable the tests skip.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/store.h"
#include "store/mysql/mysql_store.h"

namespace loyalty::testing {

// The server's configuration, or nullopt when $LOYALTY_TEST_MYSQL_URL is unset.
// A malformed URL aborts the test program: that is a set-up mistake, not a skip.
std::optional<MysqlConfig> TestMysqlConfig();

// The message tests skip with when no server is configured.
std::string MysqlSkipReason();

// The database name that belongs to `test_dir`.
std::string TestDatabaseName(const std::string& test_dir);

// Opens (creating it, empty, on the first call of this process for `test_dir`) the database of
// `test_dir`, and registers it to be dropped at the end of the running test.
// `adjust`, if given, changes the configuration first.
Result<std::unique_ptr<MysqlStore>> OpenMysqlTestStore(
    const std::string& test_dir, const std::function<void(MysqlConfig&)>& adjust = {});

}  // namespace loyalty::testing
