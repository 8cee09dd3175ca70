#include "core/program.h"

#include <set>

#include "core/business_time.h"
#include "core/limits.h"
#include "core/messaging.h"

namespace loyalty {
namespace {

bool IsTierCode(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string TierField(size_t i, const char* member) {
  return "tiers[" + std::to_string(i) + "]." + member;
}

}  // namespace

const CouponTemplate* Program::FindCouponTemplate(const std::string& code) const {
  for (const CouponTemplate& t : coupons.templates) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const char* CouponKindName(CouponKind k) {
  return k == CouponKind::kPercent ? "percent" : "fixed_won";
}

const char* CouponRestorePolicyName(CouponRestorePolicy p) {
  return p == CouponRestorePolicy::kNever ? "never" : "if_valid";
}

const char* CouponApplicationOrderName(CouponApplicationOrder o) {
  return o == CouponApplicationOrder::kPointsThenCoupon ? "points_then_coupon"
                                                        : "coupon_then_points";
}

const MessageTemplate* MessagingSettings::FindTemplate(const std::string& code) const {
  for (const MessageTemplate& t : templates) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const TriggerSettings* MessagingSettings::Trigger(const std::string& type) const {
  for (const auto& [t, settings] : triggers) {
    if (t == type) return &settings;
  }
  return nullptr;
}

const TriggerSettings* MessagingSettings::Enabled(const std::string& type) const {
  const TriggerSettings* t = Trigger(type);
  return t != nullptr && t->enabled ? t : nullptr;
}

const TierRule* Program::FindTier(const std::string& code) const {
  for (const TierRule& t : tiers) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const char* PendingModeName(PendingMode m) {
  switch (m) {
    case PendingMode::kImmediate:
      return "immediate";
    case PendingMode::kUntilConfirmation:
      return "until_confirmation";
    case PendingMode::kDays:
      return "days";
    case PendingMode::kConfirmationOrDays:
      return "confirmation_or_days";
  }
  return "unknown";
}

const char* ExpiryRoundingName(ExpiryRounding r) {
  return r == ExpiryRounding::kEndOfMonth ? "end_of_month" : "end_of_day";
}

const char* ClawbackPolicyName(ClawbackPolicy p) {
  switch (p) {
    case ClawbackPolicy::kAllowNegative:
      return "allow_negative";
    case ClawbackPolicy::kTakeAvailable:
      return "take_available";
    case ClawbackPolicy::kDeductFromRefund:
      return "deduct_from_refund";
  }
  return "unknown";
}

const char* WindowKindName(WindowKind k) {
  switch (k) {
    case WindowKind::kRollingMonths:
      return "rolling_months";
    case WindowKind::kCalendarYear:
      return "calendar_year";
    case WindowKind::kLifetime:
      return "lifetime";
  }
  return "unknown";
}

const char* SpendMomentName(SpendMoment m) {
  return m == SpendMoment::kPlacement ? "placement" : "confirmation";
}

const char* SpendBasisName(SpendBasis b) {
  return b == SpendBasis::kNetAmount ? "net_amount" : "net_paid";
}

const char* EvaluationScheduleName(EvaluationSchedule s) {
  return s == EvaluationSchedule::kDaily ? "daily" : "monthly";
}

const char* DowngradePolicyName(DowngradePolicy p) {
  return p == DowngradePolicy::kOneStep ? "one_step" : "to_qualified";
}

namespace {

std::string TemplateField(size_t i, const char* member) {
  return "coupons.templates[" + std::to_string(i) + "]." + member;
}

bool IsCodePrefix(const std::string& s) {
  if (s.size() > 12) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status ValidateTemplate(const CouponTemplate& t, size_t i) {
  if (t.name.empty() || t.name.size() > kMaxNameChars) {
    return Status::Invalid(TemplateField(i, "name"), "must be 1 to 100 characters");
  }
  if (t.kind == CouponKind::kFixedWon) {
    if (t.discount_won < 1 || t.discount_won > kMaxOrderAmountWon) {
      return Status::Invalid(TemplateField(i, "discount_won"),
                             "a fixed_won coupon needs a discount of 1 to 10,000,000,000 won");
    }
    if (t.percent_bp != 0 || t.cap_won != 0) {
      return Status::Invalid(TemplateField(i, "percent_bp"),
                             "only percent coupons have percent_bp and cap_won");
    }
  } else {
    if (t.percent_bp < 1 || t.percent_bp > 10000) {
      return Status::Invalid(TemplateField(i, "percent_bp"), "must be 1 to 10000 basis points");
    }
    if (t.cap_won < 0 || t.cap_won > kMaxOrderAmountWon) {
      return Status::Invalid(TemplateField(i, "cap_won"), "must be 0 (no cap) to 10,000,000,000");
    }
    if (t.discount_won != 0) {
      return Status::Invalid(TemplateField(i, "discount_won"), "only fixed_won coupons have it");
    }
  }
  if (t.min_order_won < 0 || t.min_order_won > kMaxOrderAmountWon) {
    return Status::Invalid(TemplateField(i, "min_order_won"), "must be 0 to 10,000,000,000");
  }
  const bool fixed_dates = !t.valid_from.empty() || !t.valid_until.empty();
  if (t.valid_days != 0 && fixed_dates) {
    return Status::Invalid(TemplateField(i, "validity"),
                           "give days_from_issue or valid_from/valid_until, not both");
  }
  if (t.valid_days == 0 && !fixed_dates) {
    return Status::Invalid(TemplateField(i, "validity"),
                           "is required: days_from_issue or valid_from/valid_until");
  }
  if (t.valid_days < 0 || t.valid_days > 3660) {
    return Status::Invalid(TemplateField(i, "validity.days_from_issue"), "must be 1 to 3660");
  }
  if (fixed_dates) {
    auto from = ParseLocalDate(t.valid_from);
    if (!from.ok()) {
      return Status::Invalid(TemplateField(i, "validity.valid_from"), "must be YYYY-MM-DD");
    }
    auto until = ParseLocalDate(t.valid_until);
    if (!until.ok()) {
      return Status::Invalid(TemplateField(i, "validity.valid_until"), "must be YYYY-MM-DD");
    }
    if (until.value() < from.value()) {
      return Status::Invalid(TemplateField(i, "validity.valid_until"), "is before valid_from");
    }
  }
  if (t.per_customer_limit < 0 || t.per_customer_limit > 1000) {
    return Status::Invalid(TemplateField(i, "per_customer_limit"), "must be 0 (none) to 1000");
  }
  if (t.truncation_unit_won != 1 && t.truncation_unit_won != 10) {
    return Status::Invalid(TemplateField(i, "truncation_unit_won"), "must be 1 or 10");
  }
  if (!IsCodePrefix(t.code_prefix)) {
    return Status::Invalid(TemplateField(i, "code_prefix"), "must be 0-12 characters of A-Z, 0-9");
  }
  return Status::Ok();
}

Status ValidateCoupons(const Program& p) {
  const CouponSettings& c = p.coupons;
  if (c.templates.size() > 200) return Status::Invalid("coupons.templates", "at most 200");
  if (c.expiring_soon_days < 0 || c.expiring_soon_days > 60) {
    return Status::Invalid("coupons.expiring_soon_days", "must be 0 to 60");
  }
  std::set<std::string> codes;
  for (size_t i = 0; i < c.templates.size(); ++i) {
    const CouponTemplate& t = c.templates[i];
    if (!IsTierCode(t.code)) {
      return Status::Invalid(TemplateField(i, "code"), "must be 1-32 characters of A-Z, 0-9 and _");
    }
    if (!codes.insert(t.code).second) {
      return Status::Invalid(TemplateField(i, "code"), "'" + t.code + "' appears twice");
    }
    LOYALTY_RETURN_IF_ERROR(ValidateTemplate(t, i));
  }
  return Status::Ok();
}

Status ValidateTiering(const Program& p) {
  const TierSettings& t = p.tiering;
  if (t.window == WindowKind::kRollingMonths && (t.window_months < 1 || t.window_months > 120)) {
    return Status::Invalid("tiering.window.months", "must be 1 to 120");
  }
  if (t.evaluation_day < 1 || t.evaluation_day > 31) {
    return Status::Invalid("tiering.evaluation.day_of_month", "must be 1 to 31");
  }
  if (t.retention_months < 0 || t.retention_months > 120) {
    return Status::Invalid("tiering.retention_months", "must be 0 to 120");
  }
  if (t.window == WindowKind::kRollingMonths && t.retention_months > t.window_months) {
    return Status::Invalid("tiering.retention_months",
                           "is longer than the " + std::to_string(t.window_months) +
                               "-month window: a tier would be kept after every order that "
                               "earned it has left the window");
  }
  if (t.window == WindowKind::kCalendarYear && t.retention_months > 12) {
    return Status::Invalid("tiering.retention_months",
                           "is longer than the calendar-year window (12 months)");
  }
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    const TierRule& r = p.tiers[i];
    if (r.min_orders < 0 || r.min_orders > 100000) {
      return Status::Invalid(TierField(i, "min_orders"), "must be 0 to 100000");
    }
    if (i > 0 && r.min_orders < p.tiers[i - 1].min_orders) {
      return Status::Invalid(TierField(i, "min_orders"),
                             "must not be lower than the tier below (a higher tier would be "
                             "easier to reach on orders)");
    }
    if (i == 0 && !r.downgradable) {
      return Status::Invalid(TierField(i, "downgradable"), "the entry tier has nothing below it");
    }
    if (i + 1 < p.tiers.size() && !r.downgradable && p.tiers[i + 1].downgradable) {
      return Status::Invalid(TierField(i + 1, "downgradable"),
                             "a tier above a lifetime tier must be lifetime too, or a customer "
                             "could fall below the lifetime tier");
    }
    if (!r.promotion_coupon.empty() && p.FindCouponTemplate(r.promotion_coupon) == nullptr) {
      return Status::Invalid(TierField(i, "benefits.promotion_coupon"),
                             "'" + r.promotion_coupon + "' is not a template in coupons.templates");
    }
    if (!r.birthday_coupon.empty() && p.FindCouponTemplate(r.birthday_coupon) == nullptr) {
      return Status::Invalid(TierField(i, "benefits.birthday_coupon"),
                             "'" + r.birthday_coupon + "' is not a template in coupons.templates");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateProgram(const Program& p) {
  if (p.version < 1) return Status::Invalid("version", "must be 1 or more");
  if (!p.effective_date.empty() && !ParseLocalDate(p.effective_date).ok()) {
    return Status::Invalid("effective_date", "must be a date as YYYY-MM-DD");
  }
  if (p.name.empty() || p.name.size() > kMaxNameChars) {
    return Status::Invalid("name", "must be 1 to 100 characters");
  }
  if (p.currency != "KRW") {
    return Status::Invalid("currency", "only KRW (integer won) is supported");
  }
  if (!IsKnownTimeZone(p.time_zone)) {
    return Status::Invalid("time_zone",
                           "'" + p.time_zone + "' is not in the OS time zone database");
  }
  if (p.point_value_won < 1 || p.point_value_won > kMaxPointValueWon) {
    return Status::Invalid("point_value_won", "must be 1 to 10,000 won per point");
  }
  if (p.tiers.empty()) return Status::Invalid("tiers", "at least one tier is needed");
  if (p.tiers.size() > 30) return Status::Invalid("tiers", "at most 30 tiers");
  std::set<std::string> codes;
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    const TierRule& t = p.tiers[i];
    if (!IsTierCode(t.code)) {
      return Status::Invalid(TierField(i, "code"), "must be 1-32 characters of A-Z, 0-9 and _");
    }
    if (!codes.insert(t.code).second) {
      return Status::Invalid(TierField(i, "code"), "'" + t.code + "' appears twice");
    }
    if (t.name.empty() || t.name.size() > kMaxNameChars) {
      return Status::Invalid(TierField(i, "name"), "must be 1 to 100 characters");
    }
    if (t.earn_rate_bp < 0 || t.earn_rate_bp > 10000) {
      return Status::Invalid(TierField(i, "earn_rate_bp"), "must be 0 to 10000 basis points");
    }
    if (i == 0 && t.threshold_won != 0) {
      return Status::Invalid(TierField(i, "threshold_won"),
                             "the first tier is the entry tier and must start at 0");
    }
    if (i > 0 && t.threshold_won <= p.tiers[i - 1].threshold_won) {
      return Status::Invalid(TierField(i, "threshold_won"),
                             "thresholds must increase from tier to tier (" +
                                 std::to_string(t.threshold_won) +
                                 " <= " + std::to_string(p.tiers[i - 1].threshold_won) + ")");
    }
    if (t.threshold_won > kMaxOrderAmountWon * 100) {
      return Status::Invalid(TierField(i, "threshold_won"), "is beyond any reachable spend");
    }
  }
  if (p.truncation_unit_points != 1 && p.truncation_unit_points != 10) {
    return Status::Invalid("earning.truncation_unit_points", "must be 1 or 10");
  }
  if (p.pending_days < 0 || p.pending_days > 365) {
    return Status::Invalid("pending.days", "must be 0 to 365");
  }
  if ((p.pending_mode == PendingMode::kDays ||
       p.pending_mode == PendingMode::kConfirmationOrDays) &&
      p.pending_days < 1) {
    return Status::Invalid("pending.days",
                           std::string("mode '") + PendingModeName(p.pending_mode) +
                               "' needs at least 1 day (use mode 'immediate' for none)");
  }
  if (p.expiry_months < 1 || p.expiry_months > 120) {
    return Status::Invalid("expiry.months", "must be 1 to 120");
  }
  if (p.min_redeem_balance_points < 0 || p.min_redeem_balance_points > kMaxAdjustmentPoints) {
    return Status::Invalid("redemption.min_balance_points", "must be 0 to 100,000,000");
  }
  if (p.min_redeem_points < 1 || p.min_redeem_points > kMaxAdjustmentPoints) {
    return Status::Invalid("redemption.min_points", "must be 1 to 100,000,000");
  }
  if (p.max_redeem_share_bp < 0 || p.max_redeem_share_bp > 10000) {
    return Status::Invalid("redemption.max_share_bp", "must be 0 to 10000 basis points");
  }
  LOYALTY_RETURN_IF_ERROR(ValidateCoupons(p));
  LOYALTY_RETURN_IF_ERROR(ValidateTiering(p));
  return ValidateMessaging(p);
}

}  // namespace loyalty
