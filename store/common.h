// Small helpers shared by the store engines (store/sqlite, store/mysql).
#pragma once

#include <optional>
#include <string>

namespace loyalty {

// An empty optional key is stored as NULL, so that UNIQUE keys hold only real values.
inline std::optional<std::string> NullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace loyalty
