// Internal to store/mysql: opening a connection the way every session needs it, the mapping of
// server and client error numbers to Status, and small helpers to bind parameters and read rows.
// Connector/C++ reports every failure by throwing ::sql::SQLException; these helpers let the
// callers catch it at one place (the driver, mysql_driver.cpp) and turn it into a Status there.
//
// The connector's namespace is written ::sql here: store/sql/driver.h declares loyalty::sql,
// which an unqualified `sql` inside namespace loyalty would find first.
#pragma once

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/mysql/mysql_store.h"

namespace loyalty::mysql {

// Registers the calling thread with the client library on its first call (threadInit) and
// unregisters it when the thread ends (threadEnd). Call before using a connection.
void EnsureThreadRegistered();

// Opens a connection: utf8mb4 with a binary collation, matched-rows update counts, the
// configured timeouts, READ COMMITTED, strict SQL mode, UTC, the lock wait timeout. Selects
// config.database unless `select_database` is false (to create or drop it).
Result<std::unique_ptr<::sql::Connection>> Connect(const MysqlConfig& config,
                                                   bool select_database = true);

// True when the server is MariaDB 10.5 or later (INSERT ... RETURNING). Throws.
bool SupportsInsertReturning(::sql::Connection& conn);

// What a failure means for the caller.
enum class Failure {
  kDeadlock,         // 1213: the server rolled the whole transaction back
  kLockWaitTimeout,  // 1205: the statement was rolled back; the transaction must be too
  kDuplicateKey,     // 1062 and relatives
  kConnectionLost,   // the connection is unusable: drop it and reconnect
  kUnavailable,      // the server refuses for now (shutting down, read-only, too many connections)
  kOther,
};
Failure Classify(int error_code);

// The Status for a failed operation `what`. A duplicate key is kAlreadyExists when `is_insert`.
// The message starts with `what`; the server's message is left out where it would quote a bound
// value (a duplicate entry names only its key).
Status ErrorStatus(const ::sql::SQLException& e, std::string_view what, bool is_insert);

// Binds integers in parameter order to a prepared statement (clearing the previous ones): the
// connection set-up, and tests that talk to the server directly.
class Bind {
 public:
  explicit Bind(::sql::PreparedStatement& stmt) : stmt_(stmt) { stmt_.clearParameters(); }
  Bind& Int(int64_t value) {
    stmt_.setInt64(++index_, value);
    return *this;
  }
  // Runs a statement that returns none; the number of rows it matched. Throws.
  int64_t Update() { return stmt_.executeUpdate(); }

 private:
  ::sql::PreparedStatement& stmt_;
  unsigned index_ = 0;
};

// A text column (1-based, as the connector counts).
std::string Text(const ::sql::ResultSet& rs, uint32_t column);

// True for a database name the store will put into DDL: 1..64 of [A-Za-z0-9_].
bool IsSafeDatabaseName(const std::string& name);

}  // namespace loyalty::mysql
