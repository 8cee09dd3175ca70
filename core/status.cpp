#include "core/status.h"

namespace loyalty {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kValidationFailed:
      return "validation_failed";
    case Code::kNotFound:
      return "not_found";
    case Code::kAlreadyExists:
      return "already_exists";
    case Code::kIdempotencyConflict:
      return "idempotency_conflict";
    case Code::kInsufficientPoints:
      return "insufficient_points";
    case Code::kBelowMinimumBalance:
      return "below_minimum_balance";
    case Code::kRedeemLimitExceeded:
      return "redeem_limit_exceeded";
    case Code::kInvalidState:
      return "invalid_state";
    case Code::kRefundExceedsOrder:
      return "refund_exceeds_order";
    case Code::kUnauthorized:
      return "unauthorized";
    case Code::kForbidden:
      return "forbidden";
    case Code::kPayloadTooLarge:
      return "payload_too_large";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kInternal:
      return "internal";
    case Code::kRetry:
      return "retry";
    case Code::kNegativeBalanceNotAllowed:
      return "negative_balance_not_allowed";
    case Code::kCouponCodeInvalid:
      return "coupon_code_invalid";
    case Code::kCouponNotFound:
      return "coupon_not_found";
    case Code::kCouponNotOwned:
      return "coupon_not_owned";
    case Code::kCouponAlreadyRedeemed:
      return "coupon_already_redeemed";
    case Code::kCouponExpired:
      return "coupon_expired";
    case Code::kCouponNotYetValid:
      return "coupon_not_yet_valid";
    case Code::kCouponMinOrderNotMet:
      return "coupon_min_order_not_met";
    case Code::kCouponNotStackable:
      return "coupon_not_stackable";
    case Code::kCouponLimitReached:
      return "coupon_limit_reached";
    case Code::kCouponRevoked:
      return "coupon_revoked";
    case Code::kBelowMinimumRedemption:
      return "below_minimum_redemption";
    case Code::kMessageNotLeased:
      return "message_not_leased";
    case Code::kLeaseExpired:
      return "lease_expired";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(CodeName(code_));
  if (!field_.empty()) s += " [" + field_ + "]";
  if (!message_.empty()) s += ": " + message_;
  return s;
}

void CheckFailed(const char* file, int line, const char* expr) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, expr);
  std::abort();
}

}  // namespace loyalty
