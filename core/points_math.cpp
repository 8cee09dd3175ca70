#include "core/points_math.h"

#include <algorithm>

#include "core/business_time.h"

namespace loyalty {

Points TruncateTo(Points value, Points unit_points) {
  LOYALTY_CHECK(value >= 0 && unit_points >= 1);
  return value - value % unit_points;
}

Points EarnPoints(Won basis_won, int32_t rate_bp, Points unit_points) {
  if (basis_won <= 0 || rate_bp <= 0) return 0;
  __int128 raw = static_cast<__int128>(basis_won) * rate_bp / 10000;
  return TruncateTo(static_cast<Points>(raw), unit_points);
}

int64_t ProportionFloor(int64_t total, int64_t part, int64_t whole) {
  LOYALTY_CHECK(whole > 0 && part >= 0 && part <= whole && total >= 0);
  return static_cast<int64_t>(static_cast<__int128>(total) * part / whole);
}

Points MaxRedeemable(const Program& p, Won amount_won, Points available_points) {
  if (available_points <= 0 || available_points < p.min_redeem_balance_points) return 0;
  Points by_share = ProportionFloor(amount_won, p.max_redeem_share_bp, 10000);
  Points m = std::min({available_points, by_share, amount_won});
  return m < p.min_redeem_points ? 0 : m;
}

Status CheckRedemption(const Program& p, Won amount_won, Points points, Points available_points) {
  if (points == 0) return Status::Ok();
  if (points < 0) return Status::Invalid("points_to_redeem", "must not be negative");
  if (points < p.min_redeem_points) {
    return Status(Code::kBelowMinimumRedemption,
                  "the smallest redemption is " + std::to_string(p.min_redeem_points) + " points",
                  "points_to_redeem");
  }
  if (points > amount_won) {
    return Status(Code::kRedeemLimitExceeded, "points exceed the order amount", "points_to_redeem");
  }
  Points by_share = ProportionFloor(amount_won, p.max_redeem_share_bp, 10000);
  if (points > by_share) {
    return Status(Code::kRedeemLimitExceeded,
                  "at most " + std::to_string(by_share) + " points may be used on this order",
                  "points_to_redeem");
  }
  if (available_points < p.min_redeem_balance_points) {
    return Status(Code::kBelowMinimumBalance,
                  "points can be used from a balance of " +
                      std::to_string(p.min_redeem_balance_points) + " points",
                  "points_to_redeem");
  }
  if (points > available_points) {
    return Status(
        Code::kInsufficientPoints,
        "available balance is " + std::to_string(std::max<Points>(0, available_points)) + " points",
        "points_to_redeem");
  }
  return Status::Ok();
}

std::vector<Allocation> PlanDebit(const std::vector<Lot>& lots, Points points) {
  std::vector<Allocation> out;
  Points left = points;
  for (const Lot& lot : lots) {
    if (left == 0) break;
    if (lot.remaining_points <= 0) continue;
    Points take = std::min(left, lot.remaining_points);
    out.push_back({lot.lot_id, -take});
    left -= take;
  }
  LOYALTY_CHECK(left == 0);
  return out;
}

Micros ExpiryFor(const Program& p, Micros activated_us) {
  LocalDate d = AddMonths(BusinessDate(activated_us, p.time_zone), p.expiry_months);
  if (p.expiry_rounding == ExpiryRounding::kEndOfMonth) d = EndOfMonth(d);
  return StartOfDay(AddDays(d, 1), p.time_zone);  // end of that business day, exclusive
}

}  // namespace loyalty
