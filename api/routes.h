// The REST API v1 route table: method, path template, who may call it, and the handler. The
// table is the single place where the role matrix lives; docs/api/openapi.yaml describes the
// same (method, path) set (tests/api/openapi_routes_test.cpp compares them).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "api/service.h"
#include "core/limits.h"
#include "core/status.h"

namespace loyalty {

using Handler = Result<ApiResponse> (*)(ServiceEnv& env, const ApiRequest& req);

struct RouteInfo {
  std::string method;              // "GET", "PUT", "POST"
  std::string path;                // template: "/v1/orders/{order_id}"
  bool requires_auth = true;       // false: /healthz, /readyz
  std::vector<std::string> roles;  // roles that may call it (when requires_auth)
  Handler handler = nullptr;
};

const std::vector<RouteInfo>& Routes();

struct RouteMatch {
  const RouteInfo* route = nullptr;           // null: see allowed_methods
  std::map<std::string, std::string> params;  // raw path segments by parameter name
  std::vector<std::string> allowed_methods;   // when the path matched but not the method
};

// Matches a raw path (no query). No route and no allowed_methods: the path is unknown (404).
RouteMatch MatchRoute(std::string_view method, std::string_view path);

bool RoleAllowed(const RouteInfo& route, const std::string& role);

// cs_agent may adjust at most kCsAgentAdjustmentLimitPoints (core/limits.h), either sign.

}  // namespace loyalty
