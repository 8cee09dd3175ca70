#include "api/problem.h"

#include <array>

#include "core/json_writer.h"

namespace loyalty {
namespace {

struct CodeRow {
  Code code;
  int http_status;
  std::string_view title;
};

// THE table: every core code and the HTTP status it is answered with.
constexpr std::array<CodeRow, 27> kCodeTable = {{
    {Code::kOk, 200, "OK"},
    {Code::kValidationFailed, 400, "Request validation failed"},
    {Code::kNotFound, 404, "Not found"},
    {Code::kAlreadyExists, 409, "Already exists"},
    {Code::kIdempotencyConflict, 409, "Idempotency conflict"},
    {Code::kInsufficientPoints, 422, "Insufficient points"},
    {Code::kBelowMinimumBalance, 422, "Balance below the redeemable minimum"},
    {Code::kRedeemLimitExceeded, 422, "Redemption limit exceeded"},
    {Code::kInvalidState, 409, "Invalid state"},
    {Code::kRefundExceedsOrder, 422, "Refund exceeds order"},
    {Code::kUnauthorized, 401, "Unauthorized"},
    {Code::kForbidden, 403, "Forbidden"},
    {Code::kPayloadTooLarge, 413, "Payload too large"},
    {Code::kUnavailable, 503, "Service unavailable"},
    {Code::kInternal, 500, "Internal error"},
    {Code::kRetry, 503, "Service unavailable"},
    {Code::kNegativeBalanceNotAllowed, 422, "Negative balance not allowed"},
    {Code::kCouponCodeInvalid, 422, "Coupon code invalid"},
    {Code::kCouponNotFound, 422, "Coupon not found"},
    {Code::kCouponNotOwned, 422, "Coupon belongs to another customer"},
    {Code::kCouponAlreadyRedeemed, 409, "Coupon already redeemed"},
    {Code::kCouponExpired, 422, "Coupon expired"},
    {Code::kCouponNotYetValid, 422, "Coupon not yet valid"},
    {Code::kCouponMinOrderNotMet, 422, "Coupon minimum order not met"},
    {Code::kCouponNotStackable, 422, "Coupon does not stack"},
    {Code::kCouponLimitReached, 422, "Coupon limit per customer reached"},
    {Code::kCouponRevoked, 422, "Coupon revoked"},
}};

struct HttpRow {
  HttpProblem problem;
  int http_status;
  std::string_view code;
  std::string_view title;
};

constexpr std::array<HttpRow, 3> kHttpTable = {{
    {HttpProblem::kRouteNotFound, 404, "route_not_found", "Route not found"},
    {HttpProblem::kMethodNotAllowed, 405, "method_not_allowed", "Method not allowed"},
    {HttpProblem::kUnsupportedMediaType, 415, "unsupported_media_type", "Unsupported media type"},
}};

const CodeRow& RowFor(Code code) {
  for (const CodeRow& row : kCodeTable) {
    if (row.code == code) return row;
  }
  return kCodeTable[static_cast<size_t>(Code::kInternal)];
}

ApiResponse Render(int http_status, std::string_view code, std::string_view title,
                   const std::string& detail, const std::string& field,
                   const std::string& request_id) {
  JsonWriter w;
  w.Str("type", std::string(kProblemTypePrefix) + std::string(code))
      .Str("title", title)
      .Int("status", http_status)
      .Str("detail", detail.empty() ? std::string(title) : detail)
      .Str("code", code);
  if (!field.empty()) w.Str("field", field);
  w.Str("request_id", request_id);
  ApiResponse r = ApiResponse::Json(http_status, w.Finish());
  r.content_type = std::string(kProblemContentType);
  return r;
}

}  // namespace

int HttpStatusFor(Code code) { return RowFor(code).http_status; }

std::string_view TitleFor(Code code) { return RowFor(code).title; }

ApiResponse ProblemFromStatus(const Status& status, const std::string& request_id) {
  const Code code = status.ok() ? Code::kInternal : status.code();
  const CodeRow& row = RowFor(code);
  // Internal failures are logged with the request id; their text stays out of the response.
  const std::string detail = code == Code::kInternal ? "" : status.message();
  ApiResponse r =
      Render(row.http_status, CodeName(code), row.title, detail, status.field(), request_id);
  if (code == Code::kUnauthorized) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (row.http_status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

ApiResponse ProblemFor(HttpProblem problem, const std::string& detail,
                       const std::string& request_id) {
  for (const HttpRow& row : kHttpTable) {
    if (row.problem == problem) {
      return Render(row.http_status, row.code, row.title, detail, "", request_id);
    }
  }
  return ProblemFromStatus(Status(Code::kInternal, "unknown problem"), request_id);
}

}  // namespace loyalty
