// Business calendar: dates and day/month boundaries in the programme's time zone
// (Asia/Seoul by default), through Howard Hinnant's date/tz over the OS time zone database.
#pragma once

#include <string>

#include "core/status.h"
#include "core/types.h"

namespace loyalty {

struct LocalDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const LocalDate&) const = default;
  auto operator<=>(const LocalDate&) const = default;
};

// "YYYY-MM-DD"; rejects impossible dates (2025-02-29) and anything else.
Result<LocalDate> ParseLocalDate(const std::string& text);
std::string FormatLocalDate(const LocalDate& d);

// RFC 3339 UTC with microseconds trimmed to what is non-zero: "2026-11-25T04:05:06.123Z".
std::string FormatInstant(Micros t_us);
// Accepts RFC 3339 with Z or an offset; returns UTC micros.
Result<Micros> ParseInstant(const std::string& text);

// True when the zone name is known to the OS database.
bool IsKnownTimeZone(const std::string& tz);

// The calendar date at instant t in zone tz. REQUIRES: IsKnownTimeZone(tz).
LocalDate BusinessDate(Micros t_us, const std::string& tz);
// The instant the local day d starts (local midnight) in zone tz.
Micros StartOfDay(const LocalDate& d, const std::string& tz);

// d plus n months, the day clamped to the month's length (Jan 31 + 1 month = Feb 28/29).
LocalDate AddMonths(const LocalDate& d, int months);
LocalDate AddDays(const LocalDate& d, int days);
LocalDate EndOfMonth(const LocalDate& d);

}  // namespace loyalty
