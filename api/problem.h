// RFC 9457 problem details (application/problem+json) and the ONE table that maps error codes
// to HTTP statuses. Members: type ("https://loyalty.dev/problems/<code>"), title, status,
// detail, code (core's CodeName or one of the API-only codes below), field (when known),
// request_id.
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.h"
#include "core/status.h"

namespace loyalty {

inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kProblemTypePrefix = "https://loyalty.dev/problems/";

// Failures that only exist at the HTTP layer; everything else is a core Code.
enum class HttpProblem {
  kRouteNotFound,         // 404: no route has this path
  kMethodNotAllowed,      // 405: the path exists, the method does not (Allow header set)
  kUnsupportedMediaType,  // 415: a body that is not application/json
};

int HttpStatusFor(Code code);
std::string_view TitleFor(Code code);

// The problem response for a failed Status, with the headers its code calls for
// (WWW-Authenticate on 401, Retry-After on 503).
ApiResponse ProblemFromStatus(const Status& status, const std::string& request_id);
ApiResponse ProblemFor(HttpProblem problem, const std::string& detail,
                       const std::string& request_id);

}  // namespace loyalty
