// Internal to store/: pieces every driver (store/sqlite, store/mysql) needs the same way.
#pragma once

#include <cctype>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sql/driver.h"

namespace loyalty::sql {

// True when `sql` is an INSERT: only there is a duplicate key kAlreadyExists (driver.h).
inline bool IsInsertStatement(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  constexpr std::string_view kInsert = "INSERT";
  if (sql.size() - i < kInsert.size()) return false;
  for (size_t k = 0; k < kInsert.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(sql[i + k])) != kInsert[k]) return false;
  }
  return true;
}

// A connection's prepared statements: by (&def, variant) for Connection::Prepare, by text for
// Connection::PrepareText. `S` is the driver's Statement class.
template <typename S>
struct StatementCache {
  struct DefKey {
    const StmtDef* def;
    Variant variant;
    bool operator==(const DefKey& other) const {
      return def == other.def && variant == other.variant;
    }
  };
  struct DefKeyHash {
    size_t operator()(const DefKey& key) const {
      return std::hash<const void*>()(key.def) * 3 + static_cast<size_t>(key.variant);
    }
  };

  std::unordered_map<DefKey, std::unique_ptr<S>, DefKeyHash> by_def;
  std::unordered_map<std::string, std::unique_ptr<S>> by_text;
};

}  // namespace loyalty::sql
