// Tier rules as pure functions: the window a business date looks at, the tier a spend qualifies
// for, what the daily job does with a customer, and the progress shown to the customer. The
// ledger (upgrades at once), the job (downgrades on schedule), the customer resource (progress)
// and `jobs simulate` all call these, so they agree to the won. docs/tiers.md explains them.
#pragma once

#include <optional>
#include <string>

#include "core/business_time.h"
#include "core/program.h"
#include "core/types.h"

namespace loyalty {

DateKey ToDateKey(const LocalDate& d);
LocalDate FromDateKey(DateKey k);

struct Window {
  DateKey start = 0;  // inclusive
  DateKey end = 0;    // inclusive
};
// The spend window that business date d evaluates.
Window WindowFor(const TierSettings& t, const LocalDate& d);

// Index into p.tiers of the highest tier whose threshold and minimum orders are met.
size_t QualifiedTier(const Program& p, Won spend_won, int32_t orders);
// Index of `code` in p.tiers; the entry tier (0) for an unknown code.
size_t TierIndex(const Program& p, const std::string& code);

// True when d is an evaluation date of the schedule (downgrades may happen).
bool IsEvaluationDate(const TierSettings& t, const LocalDate& d);
// The first evaluation date strictly after d.
LocalDate NextEvaluationDate(const TierSettings& t, const LocalDate& d);
// The first business date a tier reached at tier_since_us may be downgraded on (retention).
LocalDate RetainedUntil(const Program& p, Micros tier_since_us);

// The daily job's decision for one customer on business date d.
struct TierDecision {
  enum class Kind { kKeep, kUpgrade, kDowngrade } kind = Kind::kKeep;
  size_t from = 0;  // the current tier
  size_t to = 0;
  std::string reason;  // "missed_upgrade", "below_threshold", "retained", "lifetime", ...
};
TierDecision DecideTier(const Program& p, const LocalDate& d, const std::string& current_tier,
                        Micros tier_since_us, Won spend_won, int32_t orders);

// Everything needed to write a TierChange for a move.
TierChange MakeTierChange(const Program& p, const std::string& customer_id, size_t from, size_t to,
                          const std::string& reason, const Window& w, Won spend_won, int32_t orders,
                          const LocalDate& business_date, Micros now_us);

}  // namespace loyalty
