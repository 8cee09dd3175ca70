// The loyalty programme: every rule a shop configures. Parsed from JSON by app/program_codec.*,
// validated here (pure C++), snapshotted (version) on every order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace loyalty {

enum class PendingMode {
  kImmediate,           // points are available as soon as the order is placed
  kUntilConfirmation,   // pending until 구매확정 (confirm); the job never activates them
  kDays,                // pending for pending_days after placement; confirm does not activate
  kConfirmationOrDays,  // whichever comes first
};

enum class ExpiryRounding {
  kEndOfDay,    // expires at the end of the business day, `expiry_months` after activation
  kEndOfMonth,  // ... at the end of that month
};

enum class ClawbackPolicy {
  kAllowNegative,     // take everything; the balance may go negative (a deficit lot)
  kTakeAvailable,     // take what is available; record the rest as shortfall (lost)
  kDeductFromRefund,  // take what is available; the rest is deducted from the cash refund (won)
};

struct TierRule {
  std::string code;              // e.g. "BRONZE"
  std::string name;              // display name
  Won threshold_won = 0;         // qualifying spend over the window needed to reach the tier
  int32_t min_orders = 0;        // and at least this many qualifying orders in the window
  int32_t earn_rate_bp = 0;      // basis points of the earn basis, e.g. 100 = 1%
  bool downgradable = true;      // false = once reached, kept for life (lifetime VIP)
  std::string promotion_coupon;  // coupon template issued on promotion (coupons issue)
  std::string birthday_coupon;   // coupon template issued in the birthday month
};

enum class WindowKind {
  kRollingMonths,  // the N months ending on the business date
  kCalendarYear,   // 1 January of the business date's year up to it
  kLifetime,       // everything
};

enum class SpendMoment {
  kConfirmation,  // spend counts when the order is confirmed (구매확정)
  kPlacement,     // spend counts when the order is placed
};

enum class SpendBasis {
  kNetPaid,    // cash paid: amount - points - refunds (net of points and refunds)
  kNetAmount,  // merchandise amount net of refunds (points count as spend)
};

enum class EvaluationSchedule {
  kDaily,    // downgrades may happen on any run of the daily job
  kMonthly,  // only on `evaluation_day` of each month (clamped to the month's last day)
};

enum class DowngradePolicy {
  kToQualified,  // straight to the tier the window qualifies for
  kOneStep,      // one tier down per evaluation
};

struct TierSettings {
  WindowKind window = WindowKind::kRollingMonths;
  int32_t window_months = 12;
  SpendMoment counts_at = SpendMoment::kConfirmation;
  SpendBasis basis = SpendBasis::kNetPaid;
  EvaluationSchedule schedule = EvaluationSchedule::kMonthly;
  int32_t evaluation_day = 1;
  int32_t retention_months = 0;  // a tier is kept at least this long after it was reached
  DowngradePolicy policy = DowngradePolicy::kToQualified;
};

// ---- coupons (docs/coupons.md) ----
enum class CouponKind {
  kFixedWon,  // discount_won off the order
  kPercent,   // percent_bp of the order amount, truncated to the unit, capped at cap_won
};

enum class CouponRestorePolicy {
  kIfValid,  // cancel / full refund gives the coupon back while it is still within validity
  kNever,    // a used coupon stays used
};

enum class CouponApplicationOrder {
  kCouponThenPoints,  // coupon on the amount, points on what is left (default)
  kPointsThenCoupon,  // points on the amount, coupon on what is left
};

struct CouponTemplate {
  std::string code;  // e.g. "WELCOME" (A-Z, 0-9, _)
  std::string name;
  CouponKind kind = CouponKind::kFixedWon;
  Won discount_won = 0;    // kFixedWon
  int32_t percent_bp = 0;  // kPercent: 1000 = 10%
  Won cap_won = 0;         // kPercent: at most this much (0 = no cap)
  Won min_order_won = 0;   // order amount needed (inclusive)
  int32_t valid_days = 0;  // > 0: valid from issue to the end of the (valid_days)th KST day
  std::string valid_from;  // else fixed dates YYYY-MM-DD in the programme's zone, inclusive
  std::string valid_until;
  int32_t per_customer_limit = 0;  // redemptions of this template per customer (0 = no limit)
  bool stackable = false;          // may be combined with other coupons on one order
  Won truncation_unit_won = 1;     // a percent discount is truncated to 1 or 10 won
  CouponRestorePolicy restore_on_cancel = CouponRestorePolicy::kIfValid;
  std::string code_prefix;  // printed before the random part: "WELCOME-7K3M..."
};

struct CouponSettings {
  std::vector<CouponTemplate> templates;
  CouponApplicationOrder application_order = CouponApplicationOrder::kCouponThenPoints;
  int32_t expiring_soon_days = 3;  // coupon.expiring_soon this many days before the end
};

// ---- messages (docs/messages.md) ----
// An AlimTalk-style template: text with #{slot} variables, checked at load time against the
// slots its trigger type provides (core/messaging.h SlotsFor) and the 1,000-character limit.
struct MessageTemplate {
  std::string code;  // e.g. "TIER_NEAR" (A-Z, 0-9, _)
  std::string type;  // the trigger type it is written for ("tier_near", ...)
  MessageCategory category = MessageCategory::kInformational;
  std::string text;      // KakaoTalk AlimTalk text
  std::string sms_text;  // SMS fallback ("" = none); same slot rules
  // Why an informational template may carry a coupon slot (e.g. "a coupon the customer asked
  // for"); "" = it may not: a coupon makes a message advertising (docs/messages.md).
  std::string coupon_exemption;
};

// One trigger's switch and parameters. Which fields a type uses: docs/messages.md.
struct TriggerSettings {
  bool enabled = false;
  std::string template_code;    // required when enabled
  int32_t days = 0;             // first_purchase_reminder, review_request, repurchase_reminder,
                                // winback: N days after the cause
  int32_t minutes = 0;          // cart_reminder: delay after the cart event
  std::string coupon_template;  // optional coupon issued with the message (#{coupon_code})
  int32_t daily_cap = 0;  // at most this many of this type per customer per KST day (0 = no cap)
  Won within_won = 0;     // tier_near: gap to the next tier at most this (0 = unused)
  int32_t within_bp = 0;  // tier_near: gap at most this share of the threshold (0 = unused)
  std::vector<int32_t> stages;  // points_expiring: days before expiry, e.g. {60, 30, 3}
};

struct OrderThreshold {
  Won amount_won = 0;  // e.g. 50,000: the quote tells how much more reaches it
  std::string label;   // e.g. "free shipping"
};

struct MessagingSettings {
  // Who sends, and the free way to refuse (정보통신망법 §50 (4)): every advertising template shows
  // them, as the #{sender} / #{opt_out} slots (rendered from these) or as the literal text.
  std::string sender_name;     // messaging.sender.name, e.g. "데모샵"
  std::string sender_contact;  // messaging.sender.contact, e.g. "1588-0000"
  std::string opt_out;         // messaging.opt_out, e.g. "무료수신거부 080-000-0000"
  std::vector<MessageTemplate> templates;
  std::vector<std::pair<std::string, TriggerSettings>> triggers;  // by type; absent = off
  std::vector<OrderThreshold> order_thresholds;                   // ascending amount
  int32_t daily_cap_per_customer = 0;  // messages per customer per KST day, all types (0 = none)
  int32_t catch_up_days = 7;           // a time-based trigger missed by this many days still fires
  int32_t tier_at_risk_days = 7;       // tier_at_risk this many days before the evaluation date

  const MessageTemplate* FindTemplate(const std::string& code) const;
  const TriggerSettings* Trigger(const std::string& type) const;  // null when absent
  // Enabled trigger of that type, or null.
  const TriggerSettings* Enabled(const std::string& type) const;
};

struct Program {
  int64_t version = 1;
  std::string effective_date;  // YYYY-MM-DD from which this version decides; "" = always
  std::string name;
  std::string currency = "KRW";
  std::string time_zone = "Asia/Seoul";
  // What one point is worth in won in the accounting (the liability report, docs/ledger.md
  // "Points liability"): 1 to kMaxPointValueWon. The ledger itself redeems a point as ₩1.
  Won point_value_won = 1;
  std::vector<TierRule> tiers;        // ordered by threshold; tiers[0] is the entry tier
  Points truncation_unit_points = 1;  // earned points are truncated (절사) to 1 or 10
  PendingMode pending_mode = PendingMode::kConfirmationOrDays;
  int32_t pending_days = 14;
  int32_t expiry_months = 12;  // counted from activation
  ExpiryRounding expiry_rounding = ExpiryRounding::kEndOfDay;
  Points min_redeem_balance_points = 0;  // available must be at least this to redeem
  Points min_redeem_points = 1;          // smallest redemption
  int32_t max_redeem_share_bp = 10000;   // share of the order amount payable in points
  ClawbackPolicy clawback_policy = ClawbackPolicy::kTakeAvailable;
  bool allow_negative_adjustments = false;  // may a CS debit push available below zero
  TierSettings tiering;
  CouponSettings coupons;
  MessagingSettings messaging;

  const CouponTemplate* FindCouponTemplate(const std::string& code) const;
  const TierRule* FindTier(const std::string& code) const;
  const TierRule& EntryTier() const { return tiers.front(); }
};

const char* PendingModeName(PendingMode m);
const char* ExpiryRoundingName(ExpiryRounding r);
const char* ClawbackPolicyName(ClawbackPolicy p);
const char* WindowKindName(WindowKind k);
const char* SpendMomentName(SpendMoment m);
const char* SpendBasisName(SpendBasis b);
const char* EvaluationScheduleName(EvaluationSchedule s);
const char* DowngradePolicyName(DowngradePolicy p);
const char* CouponKindName(CouponKind k);
const char* CouponRestorePolicyName(CouponRestorePolicy p);
const char* CouponApplicationOrderName(CouponApplicationOrder o);

// Checks the whole programme for contradictions; the first problem found is returned with the
// field named as a JSON path (e.g. "tiers[2].threshold_won").
Status ValidateProgram(const Program& p);

}  // namespace loyalty
