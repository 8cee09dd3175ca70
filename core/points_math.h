// Pure arithmetic of points: earning, truncation, proportions, lot planning. No I/O.
// Every truncation rule the ledger applies is here, documented in docs/ledger.md.
#pragma once

#include <vector>

#include "core/program.h"
#include "core/types.h"

namespace loyalty {

// Largest multiple of unit_points not above value. REQUIRES: value >= 0, unit_points >= 1.
Points TruncateTo(Points value, Points unit_points);

// floor(basis_won * rate_bp / 10000), then truncated to unit_points (절사).
Points EarnPoints(Won basis_won, int32_t rate_bp, Points unit_points);

// floor(total * part / whole) without overflow. REQUIRES: whole > 0, 0 <= part <= whole.
int64_t ProportionFloor(int64_t total, int64_t part, int64_t whole);

// Most points an order of amount_won may use, given the customer's available points.
// 0 when available is below the programme's minimum redeemable balance.
Points MaxRedeemable(const Program& p, Won amount_won, Points available_points);

// Why `points` cannot be redeemed on an order of amount_won (ok if it can).
Status CheckRedemption(const Program& p, Won amount_won, Points points, Points available_points);

// Splits a debit of `points` over `lots` (already ordered soonest-expiring first), taking each
// lot's remaining in turn. Returns negative allocations. REQUIRES: enough remaining in lots.
std::vector<Allocation> PlanDebit(const std::vector<Lot>& lots, Points points);

// When a lot activated at activated_us expires (exclusive instant), per the programme.
Micros ExpiryFor(const Program& p, Micros activated_us);

}  // namespace loyalty
