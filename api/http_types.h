// The request and response shapes the route handlers see: no POCO types beyond the parsed
// JSON body, so handlers stay thin and testable.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/records.h"
#include "core/types.h"

namespace loyalty {

struct ApiRequest {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // raw path, without the query string
  std::string route;                          // the matched template, e.g. "/v1/orders/{order_id}"
  std::map<std::string, std::string> params;  // path parameters, validated as ids
  std::map<std::string, std::string> query;   // decoded query parameters
  Poco::JSON::Object::Ptr body;  // POST/PUT: the parsed object ({} when empty); else null
  std::string request_hash;      // POST/PUT: hex SHA-256 of method, path and canonical body
  std::string idempotency_key;   // Idempotency-Key header, validated; empty when absent
  ApiKey key;                    // the caller (empty name on unauthenticated routes)
  std::string request_id;

  const std::string& Param(const std::string& name) const;  // REQUIRES: the template has it
  // The query parameter, or nullptr when absent.
  const std::string* Query(const std::string& name) const;
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiResponse Json(int status, std::string body) {
    ApiResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  bool IsSuccess() const { return status >= 200 && status < 300; }
};

}  // namespace loyalty
