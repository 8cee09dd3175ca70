#include "core/business_time.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <unordered_map>

namespace loyalty {
namespace {

using std::chrono::microseconds;
using SysMicros = std::chrono::time_point<std::chrono::system_clock, microseconds>;

date::year_month_day ToYmd(const LocalDate& d) {
  return date::year{d.year} / date::month{static_cast<unsigned>(d.month)} /
         date::day{static_cast<unsigned>(d.day)};
}

LocalDate FromYmd(const date::year_month_day& ymd) {
  return LocalDate{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                   static_cast<int>(unsigned(ymd.day()))};
}

// locate_zone is thread-safe but not free; zones are few, so cache the pointers.
const date::time_zone* Zone(const std::string& tz) {
  static std::mutex mu;
  static std::unordered_map<std::string, const date::time_zone*> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(tz);
  if (it != cache.end()) return it->second;
  const date::time_zone* z = nullptr;
  try {
    z = date::locate_zone(tz);
  } catch (const std::exception&) {
    z = nullptr;
  }
  cache.emplace(tz, z);
  return z;
}

bool AllDigits(const std::string& s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(const std::string& s, size_t from, size_t n) { return std::stoi(s.substr(from, n)); }

}  // namespace

Result<LocalDate> ParseLocalDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text, 0, 4) ||
      !AllDigits(text, 5, 2) || !AllDigits(text, 8, 2)) {
    return Status::Invalid("", "expected a date as YYYY-MM-DD");
  }
  LocalDate d{Num(text, 0, 4), Num(text, 5, 2), Num(text, 8, 2)};
  if (!ToYmd(d).ok() || d.year < 1900) return Status::Invalid("", "no such calendar date");
  return d;
}

std::string FormatLocalDate(const LocalDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string FormatInstant(Micros t_us) {
  SysMicros tp{microseconds{t_us}};
  auto day = date::floor<date::days>(tp);
  date::year_month_day ymd{day};
  date::hh_mm_ss<microseconds> tod{tp - day};
  char buf[48];
  int n = std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
      unsigned(ymd.month()), unsigned(ymd.day()), static_cast<int>(tod.hours().count()),
      static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
  int64_t frac = tod.subseconds().count();
  if (frac != 0) {
    std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
    // trim trailing zeros of the fraction
    std::string s(buf);
    while (s.back() == '0') s.pop_back();
    return s + "Z";
  }
  return std::string(buf) + "Z";
}

Result<Micros> ParseInstant(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return Status::Invalid("", "expected an RFC 3339 instant such as 2026-01-31T15:00:00Z");
  }
  auto d = ParseLocalDate(text.substr(0, 10));
  if (!d.ok()) return d.status();
  if (!AllDigits(text, 11, 2) || !AllDigits(text, 14, 2) || !AllDigits(text, 17, 2)) {
    return Status::Invalid("", "bad time of day");
  }
  int hh = Num(text, 11, 2), mm = Num(text, 14, 2), ss = Num(text, 17, 2);
  if (hh > 23 || mm > 59 || ss > 59) return Status::Invalid("", "bad time of day");
  size_t i = 19;
  int64_t frac_us = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits < 6) frac_us = frac_us * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return Status::Invalid("", "empty fraction of a second");
    for (int k = digits; k < 6; ++k) frac_us *= 10;
  }
  int64_t offset_s = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z') && i + 1 == text.size()) {
    offset_s = 0;
  } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':' &&
             AllDigits(text, i + 1, 2) && AllDigits(text, i + 4, 2)) {
    offset_s = (Num(text, i + 1, 2) * 3600 + Num(text, i + 4, 2) * 60) * (text[i] == '-' ? -1 : 1);
  } else {
    return Status::Invalid("", "instant needs a Z or a ±HH:MM offset");
  }
  date::sys_days days{ToYmd(*d)};
  int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(days.time_since_epoch()).count() +
                 hh * 3600 + mm * 60 + ss - offset_s;
  return secs * 1'000'000 + frac_us;
}

bool IsKnownTimeZone(const std::string& tz) { return Zone(tz) != nullptr; }

LocalDate BusinessDate(Micros t_us, const std::string& tz) {
  const date::time_zone* z = Zone(tz);
  LOYALTY_CHECK(z != nullptr);
  auto local = z->to_local(SysMicros{microseconds{t_us}});
  return FromYmd(date::year_month_day{date::floor<date::days>(local)});
}

Micros StartOfDay(const LocalDate& d, const std::string& tz) {
  const date::time_zone* z = Zone(tz);
  LOYALTY_CHECK(z != nullptr);
  date::local_days ld{ToYmd(d)};
  // Midnight may not exist (DST gaps); choose the earliest instant of that day.
  auto sys = z->to_sys(ld, date::choose::earliest);
  return std::chrono::duration_cast<microseconds>(sys.time_since_epoch()).count();
}

LocalDate AddMonths(const LocalDate& d, int months) {
  date::year_month ym = date::year{d.year} / date::month{static_cast<unsigned>(d.month)};
  ym += date::months{months};
  auto last = date::year_month_day_last{ym / date::last};
  unsigned day = std::min<unsigned>(static_cast<unsigned>(d.day), unsigned(last.day()));
  return FromYmd(date::year_month_day{ym / date::day{day}});
}

LocalDate AddDays(const LocalDate& d, int days) {
  date::sys_days sd{ToYmd(d)};
  sd += date::days{days};
  return FromYmd(date::year_month_day{sd});
}

LocalDate EndOfMonth(const LocalDate& d) {
  date::year_month ym = date::year{d.year} / date::month{static_cast<unsigned>(d.month)};
  return FromYmd(date::year_month_day{date::year_month_day_last{ym / date::last}});
}

}  // namespace loyalty
