// The points liability report: per month of the programme's calendar, what the ledger's
// entries issued, used, expired, clawed back, restored and adjusted, and the points outstanding
// at the month's start and end, in points and in won. Definitions and formulas:
// docs/ledger.md, "Points liability".
//
// Two layers. LiabilityMonthFromSums is pure: the per-kind sums before a month and within it
// (LedgerRecords::SumEntriesByKind) in, one month's figures out, with the roll-forward checked.
// BuildLiabilityReport reads those sums for consecutive months from a read session.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/program.h"
#include "core/status.h"
#include "core/store.h"
#include "core/types.h"

namespace loyalty {

// A calendar month (the report's unit).
struct LocalMonth {
  int year = 1970;
  int month = 1;  // 1..12
  bool operator==(const LocalMonth&) const = default;
  auto operator<=>(const LocalMonth&) const = default;
};

// "YYYY-MM" (1970-01 to 9999-12); anything else is refused naming `field`.
Result<LocalMonth> ParseLocalMonth(const std::string& text, const std::string& field);
std::string FormatLocalMonth(const LocalMonth& m);
LocalMonth AddMonths(const LocalMonth& m, int months);  // months may be negative
// [first day 00:00, next month's first day 00:00) in zone tz, as UTC instants.
Micros StartOfMonth(const LocalMonth& m, const std::string& tz);

// The sums of one range of entries by kind: the rows of SumEntriesByKind, added up.
class KindTotals {
 public:
  // kInternal when a row names a kind this report does not know (it would drop its points).
  static Result<KindTotals> From(const std::vector<EntryKindSum>& rows);
  void Add(const KindTotals& other);
  const EntryKindSum& Of(EntryKind kind) const;
  int64_t Entries() const;
  Points NetPending() const;    // sum of every pending_delta
  Points NetAvailable() const;  // sum of every available_delta

 private:
  static constexpr int kKinds = 7;  // EntryKind 1..7
  std::array<EntryKindSum, kKinds> by_kind_{};
};

// One month of the report. Every *_points figure is >= 0 except balances (a deficit under
// allow_negative makes available negative) and the month's expired/used under refunds (see the
// document). Won figures are the points times point_value_won.
struct LiabilityMonth {
  LocalMonth month;
  Micros from_us = 0;     // the month's first instant
  Micros to_us = 0;       // the next month's first instant (exclusive)
  bool complete = false;  // to_us <= the report's now: the month is over
  Won point_value_won = 1;
  int64_t entries = 0;  // entries created in the month

  Points opening_pending_points = 0;  // sum of every pending_delta before from_us
  Points opening_available_points = 0;
  Points earned_points = 0;                 // earn: issued into pending
  Points activated_points = 0;              // activate: pending -> available
  Points clawed_back_pending_points = 0;    // reverse, from pending lots
  Points redeemed_points = 0;               // redeem
  Points expired_points = 0;                // expire
  Points clawed_back_available_points = 0;  // reverse, from available lots (or a deficit)
  Points restored_points = 0;               // restore
  Points adjusted_in_points = 0;            // adjust, the credits
  Points adjusted_out_points = 0;           // adjust, the debits (as a positive number)
  Points closing_pending_points = 0;        // sum of every pending_delta before to_us
  Points closing_available_points = 0;

  // Breakage: the month's expired points, and the share of points resolved (used or expired)
  // that expired, in basis points (floor), for the month and since the first entry. nullopt when
  // nothing was resolved.
  Points cumulative_expired_points = 0;  // expire, every entry before to_us
  Points cumulative_used_points = 0;     // redeem - restore, every entry before to_us
  std::optional<int64_t> breakage_rate_bp;
  std::optional<int64_t> cumulative_breakage_rate_bp;

  Points closing_points() const { return closing_pending_points + closing_available_points; }
};

// One month's figures from the sums of every entry before it (`before`) and of its own
// (`during`). kInternal when the classified figures do not roll forward to the closing balances
// (a kind moved a balance the report has no line for), or a won figure overflows.
Result<LiabilityMonth> LiabilityMonthFromSums(const LocalMonth& month, Micros from_us, Micros to_us,
                                              const KindTotals& before, const KindTotals& during,
                                              Won point_value_won);

struct LiabilityRequest {
  LocalMonth first;  // the first month reported
  int months = 1;    // 1..kMaxReportMonths consecutive months from `first`
  Micros now_us = 0;
};

struct LiabilityReport {
  std::string time_zone;
  Micros generated_at_us = 0;
  std::vector<LiabilityMonth> months;  // chronological
};

// kValidationFailed (field "month" / "months") for a month that has not begun yet, a count
// outside 1..kMaxReportMonths, or months reaching past the current one.
Status ValidateLiabilityRequest(const LiabilityRequest& r, const Program& p);

// Reads the sums for r (one statement for everything before the first month, one per month) and
// builds each month. Call it inside one read transaction (BeginRead) so every month sees the
// same snapshot. Months are cut in p.time_zone and valued at p.point_value_won.
Result<LiabilityReport> BuildLiabilityReport(LedgerRecords& records, const Program& p,
                                             const LiabilityRequest& r);

// The report as JSON ({"time_zone", "generated_at", "months": [one object per month]}) and as
// CSV (RFC 4180: a header row, then one row per month, CRLF). Both carry the same columns in the
// same order (LiabilityColumns); an undefined rate is null in JSON and empty in CSV.
std::string LiabilityReportJson(const LiabilityReport& report);
std::string LiabilityReportCsv(const LiabilityReport& report);
std::vector<std::string> LiabilityColumns();

}  // namespace loyalty
