#include "api/http_types.h"

#include "core/status.h"

namespace loyalty {

const std::string& ApiRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  LOYALTY_CHECK(it != params.end());
  return it->second;
}

const std::string* ApiRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

}  // namespace loyalty
