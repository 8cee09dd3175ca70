// The loyalty programme: every rule a shop configures. Parsed from JSON by api/program_json.*,
// validated here (pure C++), snapshotted (version) on every order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace loyalty {

enum class PendingMode {
  kImmediate,            // points are available as soon as the order is placed
  kUntilConfirmation,    // pending until 구매확정 (confirm); the job never activates them
  kDays,                 // pending for pending_days after placement; confirm does not activate
  kConfirmationOrDays,   // whichever comes first
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
  std::string code;            // e.g. "BRONZE"
  std::string name;            // display name
  Won threshold_won = 0;       // qualifying spend needed (tier logic: tiers issue)
  int32_t earn_rate_bp = 0;    // basis points of the earn basis, e.g. 100 = 1%
};

struct Program {
  int64_t version = 1;
  std::string name;
  std::string currency = "KRW";
  std::string time_zone = "Asia/Seoul";
  std::vector<TierRule> tiers;     // ordered by threshold; tiers[0] is the entry tier
  Points truncation_unit_points = 1;  // earned points are truncated (절사) to 1 or 10
  PendingMode pending_mode = PendingMode::kConfirmationOrDays;
  int32_t pending_days = 14;
  int32_t expiry_months = 12;      // counted from activation
  ExpiryRounding expiry_rounding = ExpiryRounding::kEndOfDay;
  Points min_redeem_balance_points = 0;  // available must be at least this to redeem
  Points min_redeem_points = 1;          // smallest redemption
  int32_t max_redeem_share_bp = 10000;   // share of the order amount payable in points
  ClawbackPolicy clawback_policy = ClawbackPolicy::kTakeAvailable;
  bool allow_negative_adjustments = false;  // may a CS debit push available below zero

  const TierRule* FindTier(const std::string& code) const;
  const TierRule& EntryTier() const { return tiers.front(); }
};

const char* PendingModeName(PendingMode m);
const char* ExpiryRoundingName(ExpiryRounding r);
const char* ClawbackPolicyName(ClawbackPolicy p);

// Checks the whole programme for contradictions; the first problem found is returned with the
// field named as a JSON path (e.g. "tiers[2].threshold_won").
Status ValidateProgram(const Program& p);

// The programme compiled into the binary, used by `loyalty serve --demo` and the README.
std::string DemoProgramJson();

}  // namespace loyalty
