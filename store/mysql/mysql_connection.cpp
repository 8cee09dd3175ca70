#include "store/mysql/mysql_connection.h"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <mysql_driver.h>

#include <cstdio>
#include <utility>

namespace loyalty::mysql {

namespace {

// The driver singleton. Its first call is not thread-safe; a function-local static makes it so.
::sql::mysql::MySQL_Driver* Driver() {
  static ::sql::mysql::MySQL_Driver* const driver = ::sql::mysql::get_mysql_driver_instance();
  return driver;
}

struct ThreadRegistration {
  ThreadRegistration() { Driver()->threadInit(); }
  ~ThreadRegistration() { Driver()->threadEnd(); }
};

// Session settings, in one round trip after connecting.
constexpr const char* kSessionSettings =
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00',"
    " collation_connection = 'utf8mb4_bin', innodb_lock_wait_timeout = ?, lock_wait_timeout = ?";

}  // namespace

void EnsureThreadRegistered() { thread_local ThreadRegistration registration; }

Result<std::unique_ptr<::sql::Connection>> Connect(const MysqlConfig& config,
                                                   bool select_database) {
  EnsureThreadRegistered();
  ::sql::ConnectOptionsMap options;
  options["hostName"] = ::sql::SQLString(config.host);
  options["port"] = config.port;
  options["userName"] = ::sql::SQLString(config.user);
  options["password"] = ::sql::SQLString(config.password);
  if (select_database) options["schema"] = ::sql::SQLString(config.database);
  options["OPT_CHARSET_NAME"] = ::sql::SQLString("utf8mb4");
  options["OPT_CONNECT_TIMEOUT"] = config.connect_timeout_s;
  options["OPT_READ_TIMEOUT"] = config.read_timeout_s;
  options["OPT_WRITE_TIMEOUT"] = config.write_timeout_s;
  options["OPT_RECONNECT"] = false;     // a silent reconnect would lose the transaction
  options["CLIENT_FOUND_ROWS"] = true;  // UPDATE counts matched rows, not changed ones
  const std::string where = DescribeMysql(config);
  try {
    std::unique_ptr<::sql::Connection> conn(Driver()->connect(options));
    {
      std::unique_ptr<::sql::PreparedStatement> set(conn->prepareStatement(kSessionSettings));
      Bind(*set).Int(config.lock_wait_timeout_s).Int(config.lock_wait_timeout_s).Update();
    }
    {
      std::unique_ptr<::sql::PreparedStatement> isolation(
          conn->prepareStatement("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
      isolation->execute();
    }
    return conn;
  } catch (const ::sql::SQLException& e) {
    // Whatever the reason (refused, unknown host, bad credentials, too many connections), the
    // store cannot be used now; the connector's message never contains the password.
    return Status(Code::kUnavailable, "cannot connect to " + where + ": " + e.what() + " (error " +
                                          std::to_string(e.getErrorCode()) + ")");
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable, "cannot connect to " + where + ": " + e.what());
  }
}

bool SupportsInsertReturning(::sql::Connection& conn) {
  std::unique_ptr<::sql::PreparedStatement> stmt(conn.prepareStatement("SELECT VERSION()"));
  std::unique_ptr<::sql::ResultSet> rs(stmt->executeQuery());
  if (!rs->next()) return false;
  const std::string version = Text(*rs, 1);  // e.g. "10.11.6-MariaDB-0+deb12u1", "8.0.36"
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2) return false;
  return version.find("MariaDB") != std::string::npos &&
         (major > 10 || (major == 10 && minor >= 5));
}

Failure Classify(int code) {
  switch (code) {
    case 1213:  // ER_LOCK_DEADLOCK
      return Failure::kDeadlock;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
      return Failure::kLockWaitTimeout;
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
    case 1022:  // ER_DUP_KEY
      return Failure::kDuplicateKey;
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1080:  // ER_FORCING_CLOSE
    case 1152:  // ER_ABORTING_CONNECTION
    case 1158:  // ER_NET_READ_ERROR
    case 1159:  // ER_NET_READ_INTERRUPTED
    case 1160:  // ER_NET_ERROR_ON_WRITE
    case 1161:  // ER_NET_WRITE_INTERRUPTED
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return Failure::kConnectionLost;
    case 1040:  // ER_CON_COUNT_ERROR
    case 1203:  // ER_TOO_MANY_USER_CONNECTIONS
    case 1290:  // ER_OPTION_PREVENTS_STATEMENT (--read-only: a failover in progress)
    case 1836:  // ER_READ_ONLY_MODE
      return Failure::kUnavailable;
    default:
      break;
  }
  // Client library errors (CR_*: server gone or lost, cannot connect, broken protocol, ...) and
  // MariaDB Connector/C's network errors: whatever state the connection is in, start afresh.
  if ((code >= 2000 && code <= 2999) || code == 5013 || code == 5014) {
    return Failure::kConnectionLost;
  }
  return Failure::kOther;
}

namespace {

// The server's message, unless it may quote a value the statement bound (store/sql/driver.h:
// an error message never contains a bound value).
std::string ServerMessage(const ::sql::SQLException& e) {
  switch (e.getErrorCode()) {
    case 1062:    // ER_DUP_ENTRY: "Duplicate entry '<value>' for key '<name>'"
    case 1586: {  // ER_DUP_ENTRY_WITH_KEY_NAME: the same
      // Only the key's name; the value is quoted before it and may itself hold " for key ".
      const std::string message = e.what();
      const size_t key = message.rfind(" for key ");
      return key == std::string::npos ? "duplicate entry" : "duplicate entry" + message.substr(key);
    }
    case 1292:  // ER_TRUNCATED_WRONG_VALUE: "Truncated incorrect <type> value: '<value>'"
    case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: "Incorrect <type> value: '<value>' for ..."
    case 1367:  // ER_ILLEGAL_VALUE_FOR_TYPE
    case 1411:  // ER_WRONG_VALUE_FOR_TYPE
    case 1525:  // ER_WRONG_VALUE
    case 1690:  // ER_DATA_OUT_OF_RANGE: quotes the expression, values included
      return "a value was refused";
    default:
      return e.what();
  }
}

}  // namespace

Status ErrorStatus(const ::sql::SQLException& e, std::string_view what, bool is_insert) {
  const std::string detail = ServerMessage(e) + ", error " + std::to_string(e.getErrorCode()) +
                             ", SQLSTATE " + e.getSQLState();
  const std::string prefix = std::string(what) + ": ";
  switch (Classify(e.getErrorCode())) {
    case Failure::kDeadlock:
      return Status(Code::kRetry, prefix + "deadlock (" + detail + ")");
    case Failure::kLockWaitTimeout:
      return Status(Code::kRetry, prefix + "lock wait timeout (" + detail + ")");
    case Failure::kDuplicateKey:
      if (is_insert) return Status(Code::kAlreadyExists, prefix + detail);
      break;
    case Failure::kConnectionLost:
      return Status(Code::kUnavailable, prefix + "database connection lost (" + detail + ")");
    case Failure::kUnavailable:
      return Status(Code::kUnavailable, prefix + "database unavailable (" + detail + ")");
    case Failure::kOther:
      break;
  }
  return Status(Code::kInternal, prefix + "mysql error (" + detail + ")");
}

std::string Text(const ::sql::ResultSet& rs, uint32_t column) {
  return rs.getString(column).asStdString();
}

bool IsSafeDatabaseName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace loyalty::mysql
