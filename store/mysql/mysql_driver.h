// Internal to store/mysql: the MySQL / MariaDB driver of the SQL store (store/sql/driver.h), over
// MySQL Connector/C++ 1.1 with server-side prepared statements only.
//
// The connection (MysqlConnection, in mysql_driver.cpp) prepares every statement on the server
// once, on first use, and caches it: by (&def, variant) for Prepare, by text for PrepareText.
// Every call registers the thread with the client library, makes sure the connection is usable
// (reconnecting when it died outside a transaction; the statements are prepared again on the new
// connection) and turns a thrown sql::SQLException into a Status (mysql_connection.h). Inside a
// transaction, a deadlock, lock wait timeout or lost connection makes the transaction dead: every
// later call returns the same kRetry / kUnavailable until Rollback().
//
// Transactions: writes run at READ COMMITTED (kForUpdate reads lock their rows), reads at
// REPEATABLE READ in a START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT. The session's
// isolation level is switched only when the kind of transaction changes, so a connection used for
// one kind (writers, the read pool) pays one round trip per Begin.
//
// Updates count matched rows, not changed ones (the connection sets CLIENT_FOUND_ROWS).
#pragma once

#include <atomic>
#include <memory>

#include "core/status.h"
#include "store/mysql/mysql_store.h"
#include "store/sql/driver.h"

namespace loyalty::sql {

// Opens a connection (mysql::Connect: utf8mb4, binary collation, strict mode, UTC, the configured
// timeouts) and selects config.database unless `select_database` is false (to create or drop
// it). kUnavailable when the server cannot be reached; the message never contains the password.
//
// `open_sessions`, when not null, is the store's count of live sessions and already counts this
// one: the connection gives its count back when it is destroyed (not when the open fails).
Result<std::unique_ptr<Connection>> OpenMysqlConnection(
    const MysqlConfig& config, std::shared_ptr<std::atomic<int>> open_sessions,
    bool select_database = true);

}  // namespace loyalty::sql
