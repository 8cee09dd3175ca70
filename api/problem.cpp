#include "api/problem.h"

#include "core/json_writer.h"

namespace loyalty {
namespace {

struct CodeRow {
  int http_status;
  std::string_view title;
};

// THE table: every core code and the HTTP status it is answered with. A switch without a
// default: a new Code without a row here fails the build (-Werror=switch).
constexpr CodeRow RowFor(Code code) {
  switch (code) {
    case Code::kOk:
      return {200, "OK"};
    case Code::kValidationFailed:
      return {400, "Request validation failed"};
    case Code::kNotFound:
      return {404, "Not found"};
    case Code::kAlreadyExists:
      return {409, "Already exists"};
    case Code::kIdempotencyConflict:
      return {409, "Idempotency conflict"};
    case Code::kInsufficientPoints:
      return {422, "Insufficient points"};
    case Code::kBelowMinimumBalance:
      return {422, "Balance below the redeemable minimum"};
    case Code::kRedeemLimitExceeded:
      return {422, "Redemption limit exceeded"};
    case Code::kInvalidState:
      return {409, "Invalid state"};
    case Code::kRefundExceedsOrder:
      return {422, "Refund exceeds order"};
    case Code::kUnauthorized:
      return {401, "Unauthorized"};
    case Code::kForbidden:
      return {403, "Forbidden"};
    case Code::kPayloadTooLarge:
      return {413, "Payload too large"};
    case Code::kUnavailable:
      return {503, "Service unavailable"};
    case Code::kInternal:
      return {500, "Internal error"};
    case Code::kRetry:
      return {503, "Service unavailable"};
    case Code::kNegativeBalanceNotAllowed:
      return {422, "Negative balance not allowed"};
    case Code::kCouponCodeInvalid:
      return {422, "Coupon code invalid"};
    case Code::kCouponNotFound:
      return {422, "Coupon not found"};
    case Code::kCouponNotOwned:
      return {422, "Coupon belongs to another customer"};
    case Code::kCouponAlreadyRedeemed:
      return {409, "Coupon already redeemed"};
    case Code::kCouponExpired:
      return {422, "Coupon expired"};
    case Code::kCouponNotYetValid:
      return {422, "Coupon not yet valid"};
    case Code::kCouponMinOrderNotMet:
      return {422, "Coupon minimum order not met"};
    case Code::kCouponNotStackable:
      return {422, "Coupon does not stack"};
    case Code::kCouponLimitReached:
      return {422, "Coupon limit per customer reached"};
    case Code::kCouponRevoked:
      return {422, "Coupon revoked"};
    case Code::kBelowMinimumRedemption:
      return {422, "Below the smallest redemption"};
    case Code::kMessageNotLeased:
      return {409, "Message not leased by the caller"};
    case Code::kLeaseExpired:
      return {409, "Lease expired"};
  }
  return {500, "Internal error"};  // a value outside the enum (a cast gone wrong)
}

struct HttpRow {
  int http_status;
  std::string_view code;
  std::string_view title;
};

constexpr HttpRow RowFor(HttpProblem problem) {
  switch (problem) {
    case HttpProblem::kRouteNotFound:
      return {404, "route_not_found", "Route not found"};
    case HttpProblem::kMethodNotAllowed:
      return {405, "method_not_allowed", "Method not allowed"};
    case HttpProblem::kUnsupportedMediaType:
      return {415, "unsupported_media_type", "Unsupported media type"};
  }
  return {500, "internal", "Internal error"};
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
  const CodeRow row = RowFor(code);
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
  const HttpRow row = RowFor(problem);
  return Render(row.http_status, row.code, row.title, detail, "", request_id);
}

}  // namespace loyalty
