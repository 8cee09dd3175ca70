#include "api/store_factory.h"

#include <filesystem>

#include "store/mysql/mysql_store.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty {

bool IsMysqlUrl(const std::string& db) { return db.rfind("mysql://", 0) == 0; }

Result<std::unique_ptr<Store>> OpenStoreFromUrl(const std::string& db, const StoreOptions& opts) {
  if (IsMysqlUrl(db)) {
    LOYALTY_ASSIGN_OR_RETURN(MysqlConfig config, ParseMysqlUrl(db));
    LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<MysqlStore> store, MysqlStore::Open(config));
    return std::unique_ptr<Store>(std::move(store));
  }
  std::string path = db.rfind("sqlite:", 0) == 0 ? db.substr(7) : db;
  if (path.empty()) return Status::Invalid("--db", "empty database path");
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  SqliteOptions so;
  so.synchronous_full = opts.synchronous_full;
  auto store = SqliteStore::Open(path, so);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace loyalty
