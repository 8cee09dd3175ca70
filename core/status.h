// Status and Result<T>: the one error type of the engine.
//
// Three kinds of failure are kept apart (see docs/architecture.md):
//  - a business outcome or bad input the caller can fix (validation_failed, insufficient_points,
//    ...): a Status with a stable code, never an exception;
//  - an environment failure (database down, disk full): Code::kUnavailable / kInternal;
//  - a broken invariant (programmer error): LOYALTY_CHECK, which aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace loyalty {

// Stable machine codes. The spelling returned by CodeName() is part of the public API
// (problem+json "code"): never rename one; add new ones at the end.
enum class Code {
  kOk = 0,
  kValidationFailed,           // bad input; Status::field names the offending field
  kNotFound,                   // customer, order, refund, key... does not exist
  kAlreadyExists,              // create of something that exists with a different body
  kIdempotencyConflict,        // idempotency key / natural id reused with a different body
  kInsufficientPoints,         // not enough available points
  kBelowMinimumBalance,        // balance below the programme's minimum redeemable balance
  kRedeemLimitExceeded,        // more points than the programme allows for this order
  kInvalidState,               // e.g. confirm of a cancelled order
  kRefundExceedsOrder,         // refund larger than what is left of the order
  kUnauthorized,               // missing or unknown API key
  kForbidden,                  // key's role may not call this route
  kPayloadTooLarge,            // request body over the limit
  kUnavailable,                // database unreachable or busy; retry later
  kInternal,                   // unexpected failure
  kRetry,                      // deadlock / lock timeout: the executor retries the batch (internal)
  kNegativeBalanceNotAllowed,  // a debit would make available negative
  kCouponCodeInvalid,          // malformed code or wrong check character (no lookup was made)
  kCouponNotFound,             // well-formed code that was never issued
  kCouponNotOwned,             // the coupon belongs to another customer
  kCouponAlreadyRedeemed,      // used by an order (or lost the race to another order)
  kCouponExpired,              // past its validity (or expired by the job)
  kCouponNotYetValid,          // before its validity starts
  kCouponMinOrderNotMet,       // order amount below the template's minimum
  kCouponNotStackable,         // combined with another coupon while one of them does not stack
  kCouponLimitReached,         // the customer already used the template's per-customer limit
  kCouponRevoked,              // withdrawn by customer service
  kBelowMinimumRedemption,     // fewer points than the programme's smallest redemption
  kMessageNotLeased,           // ack of a message the caller holds no lease on (never pulled)
  kLeaseExpired,               // ack after the caller's lease ran out (it may be handed out again)
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string field, std::string message) {
    return Status(Code::kValidationFailed, std::move(message), std::move(field));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The request field at fault (JSON path such as "lines[2].amount_won"), or empty.
  const std::string& field() const { return field_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) std::abort();   // an ok Status carries no value
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);

}  // namespace loyalty

// Aborts on a broken invariant. Never use it for anything a client can cause.
#define LOYALTY_CHECK(cond) ((cond) ? (void)0 : ::loyalty::CheckFailed(__FILE__, __LINE__, #cond))

#define LOYALTY_RETURN_IF_ERROR(expr) \
  do {                                \
    ::loyalty::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define LOYALTY_CONCAT_INNER(a, b) a##b
#define LOYALTY_CONCAT(a, b) LOYALTY_CONCAT_INNER(a, b)
#define LOYALTY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
// LOYALTY_ASSIGN_OR_RETURN(auto x, FunctionReturningResult());
#define LOYALTY_ASSIGN_OR_RETURN(lhs, expr) \
  LOYALTY_ASSIGN_OR_RETURN_IMPL(LOYALTY_CONCAT(_res_, __LINE__), lhs, expr)
