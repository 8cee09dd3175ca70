// Opens the store a `--db` argument names:
//   PATH or sqlite:PATH                       embedded SQLite file (parent directory created)
//   mysql://user[:password]@host[:port]/db    MySQL / MariaDB (password also from
//                                             $LOYALTY_DB_PASSWORD or $LOYALTY_DB_PASSWORD_FILE)
// The returned description never contains a password.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct StoreOptions {
  bool synchronous_full = true;  // SQLite: an acknowledged commit survives power loss
};

Result<std::unique_ptr<Store>> OpenStoreFromUrl(const std::string& db, const StoreOptions& opts);

// True for a mysql:// URL (several writer sessions make sense there; SQLite has one writer).
bool IsMysqlUrl(const std::string& db);

}  // namespace loyalty
