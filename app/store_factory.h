// Opens the store a `--db` argument names:
//   PATH or sqlite:PATH                       embedded SQLite file
//   mysql://user[:password]@host[:port]/db    MySQL / MariaDB (password also from
//                                             $LOYALTY_DB_PASSWORD or $LOYALTY_DB_PASSWORD_FILE)
// Anything else that starts like a URL scheme ("postgres://x/y", "postgres:x", "mysql:x" without
// the "//", "MYSQL://...") is refused, so that a typo never becomes a directory named
// "postgres:" with an SQLite file in it. A file whose name has a colon before any slash is
// written ./NAME or sqlite:NAME.
//
// No error and no description ever contains a password: the URL is never quoted back, and an
// error from the MySQL layer that contains any part of the URL's credentials is replaced by a
// generic one.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct StoreOptions {
  bool synchronous_full = true;  // SQLite: an acknowledged commit survives power loss
  // Open an existing database only; never create a file or a directory. For the commands that
  // only read, and for those that need a migrated schema anyway (a new file cannot have one).
  // SQLite: kNotFound (field "--db") when the file does not exist. MySQL: no difference (the
  // store never creates a database).
  bool must_exist = false;
};

enum class DbEngine { kSqlite, kMysql };

struct DbTarget {
  DbEngine engine = DbEngine::kSqlite;
  std::string location;  // SQLite: the file path; MySQL: the URL as given (may hold a password)
};

// Which engine `db` names, without touching anything. kValidationFailed (field "--db") for an
// empty path or an unknown scheme; the message names the scheme only, never the rest.
Result<DbTarget> ParseDbTarget(const std::string& db);

// Opens the store `db` names (the SQLite file's parent directory is created unless
// opts.must_exist). Errors: those of ParseDbTarget and ParseMysqlUrl (kValidationFailed, field
// "--db"), kNotFound (field "--db") for a missing SQLite file when opts.must_exist, and the
// engine's own (kUnavailable...) when the database cannot be opened.
Result<std::unique_ptr<Store>> OpenStoreFromUrl(const std::string& db, const StoreOptions& opts);

// True for a mysql:// URL (several writer sessions make sense there; SQLite has one writer).
bool IsMysqlUrl(const std::string& db);

// `status` with every trace of the credentials of `db` (a mysql:// URL) removed: the password
// given in the URL, and (for a URL the parser could not split) any two characters in a row of
// what may be the password. Other statuses and non-MySQL `db` values are returned unchanged.
Status HideDbCredentials(const Status& status, const std::string& db);

}  // namespace loyalty
