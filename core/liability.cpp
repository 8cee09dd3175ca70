#include "core/liability.h"

#include <limits>

#include "core/business_time.h"
#include "core/json_writer.h"
#include "core/limits.h"

namespace loyalty {
namespace {

bool Digits(const std::string& s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// floor(part * 10000 / whole) in basis points; nullopt when nothing was resolved (whole <= 0).
std::optional<int64_t> RateBp(Points part, Points whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<int64_t>(static_cast<__int128>(part) * 10000 / whole);
}

Status InternalMismatch(const LocalMonth& m, const char* balance, Points rolled, Points closing) {
  return Status(Code::kInternal, "liability report " + FormatLocalMonth(m) + ": the " + balance +
                                     " figures roll forward to " + std::to_string(rolled) +
                                     " points but the entries sum to " + std::to_string(closing) +
                                     ": an entry kind moved a balance the report has no line for");
}

// One column of the report: its name and the month's value in it.
struct Cell {
  enum class Type { kText, kInt, kBool, kOptionalInt };
  const char* name;
  Type type;
  std::string text;
  int64_t value = 0;
  bool present = true;  // kOptionalInt: false = no value (null / empty)
};

// The columns, in order. Every points figure is followed by its value in won.
std::vector<Cell> CellsOf(const LiabilityMonth& m) {
  using T = Cell::Type;
  std::vector<Cell> cells = {
      {"month", T::kText, FormatLocalMonth(m.month)},
      {"from", T::kText, FormatInstant(m.from_us)},
      {"to", T::kText, FormatInstant(m.to_us)},
      {"complete", T::kBool, "", m.complete ? 1 : 0},
      {"point_value_won", T::kInt, "", m.point_value_won},
      {"entries", T::kInt, "", m.entries},
  };
  auto points = [&](const char* points_name, const char* won_name, Points p) {
    cells.push_back({points_name, T::kInt, "", p});
    cells.push_back({won_name, T::kInt, "", p * m.point_value_won});
  };
  points("opening_pending_points", "opening_pending_won", m.opening_pending_points);
  points("opening_available_points", "opening_available_won", m.opening_available_points);
  points("opening_points", "opening_won", m.opening_pending_points + m.opening_available_points);
  points("earned_points", "earned_won", m.earned_points);
  points("activated_points", "activated_won", m.activated_points);
  points("clawed_back_pending_points", "clawed_back_pending_won", m.clawed_back_pending_points);
  points("redeemed_points", "redeemed_won", m.redeemed_points);
  points("expired_points", "expired_won", m.expired_points);
  points("clawed_back_available_points", "clawed_back_available_won",
         m.clawed_back_available_points);
  points("restored_points", "restored_won", m.restored_points);
  points("adjusted_in_points", "adjusted_in_won", m.adjusted_in_points);
  points("adjusted_out_points", "adjusted_out_won", m.adjusted_out_points);
  points("closing_pending_points", "closing_pending_won", m.closing_pending_points);
  points("closing_available_points", "closing_available_won", m.closing_available_points);
  points("closing_points", "closing_won", m.closing_points());
  auto rate = [&](const char* name, const std::optional<int64_t>& bp) {
    cells.push_back({name, T::kOptionalInt, "", bp.value_or(0), bp.has_value()});
  };
  rate("breakage_rate_bp", m.breakage_rate_bp);
  cells.push_back({"cumulative_expired_points", T::kInt, "", m.cumulative_expired_points});
  cells.push_back({"cumulative_used_points", T::kInt, "", m.cumulative_used_points});
  rate("cumulative_breakage_rate_bp", m.cumulative_breakage_rate_bp);
  return cells;
}

std::string MonthJson(const LiabilityMonth& m) {
  JsonWriter w;
  for (const Cell& c : CellsOf(m)) {
    switch (c.type) {
      case Cell::Type::kText:
        w.Str(c.name, c.text);
        break;
      case Cell::Type::kInt:
        w.Int(c.name, c.value);
        break;
      case Cell::Type::kBool:
        w.Bool(c.name, c.value != 0);
        break;
      case Cell::Type::kOptionalInt:
        if (c.present) {
          w.Int(c.name, c.value);
        } else {
          w.Null(c.name);
        }
        break;
    }
  }
  return w.Finish();
}

std::string CsvField(const Cell& c) {
  switch (c.type) {
    case Cell::Type::kText:
      return c.text;  // months and RFC 3339 instants: never a comma, quote or line break
    case Cell::Type::kInt:
      return std::to_string(c.value);
    case Cell::Type::kBool:
      return c.value != 0 ? "true" : "false";
    case Cell::Type::kOptionalInt:
      return c.present ? std::to_string(c.value) : "";
  }
  return "";
}

}  // namespace

Result<LocalMonth> ParseLocalMonth(const std::string& text, const std::string& field) {
  const Status bad = Status::Invalid(field, "must be a month as YYYY-MM, e.g. 2026-11");
  if (text.size() != 7 || text[4] != '-' || !Digits(text, 0, 4) || !Digits(text, 5, 2)) return bad;
  LocalMonth m{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2))};
  if (m.year < 1970 || m.month < 1 || m.month > 12) return bad;
  return m;
}

std::string FormatLocalMonth(const LocalMonth& m) {
  // A LocalDate's text without its day: "2026-11-01" -> "2026-11".
  return FormatLocalDate(LocalDate{m.year, m.month, 1}).substr(0, 7);
}

LocalMonth AddMonths(const LocalMonth& m, int months) {
  const int index = m.year * 12 + (m.month - 1) + months;
  return LocalMonth{index / 12, index % 12 + 1};
}

Micros StartOfMonth(const LocalMonth& m, const std::string& tz) {
  return StartOfDay(LocalDate{m.year, m.month, 1}, tz);
}

Result<KindTotals> KindTotals::From(const std::vector<EntryKindSum>& rows) {
  KindTotals t;
  for (const EntryKindSum& row : rows) {
    const int k = static_cast<int>(row.kind);
    if (k < 1 || k > kKinds) {
      return Status(Code::kInternal, "liability report: entry kind " + std::to_string(k) +
                                         " is not one the report knows; its points would be lost");
    }
    EntryKindSum& into = t.by_kind_[k - 1];
    into.kind = row.kind;
    into.entries += row.entries;
    into.pending_in_points += row.pending_in_points;
    into.pending_out_points += row.pending_out_points;
    into.available_in_points += row.available_in_points;
    into.available_out_points += row.available_out_points;
  }
  return t;
}

void KindTotals::Add(const KindTotals& other) {
  for (int i = 0; i < kKinds; ++i) {
    EntryKindSum& into = by_kind_[i];
    const EntryKindSum& from = other.by_kind_[i];
    into.entries += from.entries;
    into.pending_in_points += from.pending_in_points;
    into.pending_out_points += from.pending_out_points;
    into.available_in_points += from.available_in_points;
    into.available_out_points += from.available_out_points;
  }
}

const EntryKindSum& KindTotals::Of(EntryKind kind) const {
  const int k = static_cast<int>(kind);
  LOYALTY_CHECK(k >= 1 && k <= kKinds);
  return by_kind_[k - 1];
}

int64_t KindTotals::Entries() const {
  int64_t n = 0;
  for (const EntryKindSum& k : by_kind_) n += k.entries;
  return n;
}

Points KindTotals::NetPending() const {
  Points p = 0;
  for (const EntryKindSum& k : by_kind_) p += k.pending_in_points + k.pending_out_points;
  return p;
}

Points KindTotals::NetAvailable() const {
  Points p = 0;
  for (const EntryKindSum& k : by_kind_) p += k.available_in_points + k.available_out_points;
  return p;
}

Result<LiabilityMonth> LiabilityMonthFromSums(const LocalMonth& month, Micros from_us, Micros to_us,
                                              const KindTotals& before, const KindTotals& during,
                                              Won point_value_won) {
  LOYALTY_CHECK(from_us < to_us);
  LOYALTY_CHECK(point_value_won >= 1 && point_value_won <= kMaxPointValueWon);
  auto net_pending = [&](EntryKind k) {
    return during.Of(k).pending_in_points + during.Of(k).pending_out_points;
  };
  auto net_available = [&](EntryKind k) {
    return during.Of(k).available_in_points + during.Of(k).available_out_points;
  };
  LiabilityMonth m;
  m.month = month;
  m.from_us = from_us;
  m.to_us = to_us;
  m.point_value_won = point_value_won;
  m.entries = during.Entries();
  m.opening_pending_points = before.NetPending();
  m.opening_available_points = before.NetAvailable();
  m.earned_points = net_pending(EntryKind::kEarn);
  m.activated_points = -net_pending(EntryKind::kActivate);
  m.clawed_back_pending_points = -net_pending(EntryKind::kReverse);
  m.redeemed_points = -net_available(EntryKind::kRedeem);
  m.expired_points = -net_available(EntryKind::kExpire);
  m.clawed_back_available_points = -net_available(EntryKind::kReverse);
  m.restored_points = net_available(EntryKind::kRestore);
  m.adjusted_in_points = during.Of(EntryKind::kAdjust).available_in_points;
  m.adjusted_out_points = -during.Of(EntryKind::kAdjust).available_out_points;
  // The closing balances are the entries' own sums; the figures above must explain them.
  m.closing_pending_points = m.opening_pending_points + during.NetPending();
  m.closing_available_points = m.opening_available_points + during.NetAvailable();

  const Points pending_rolled = m.opening_pending_points + m.earned_points - m.activated_points -
                                m.clawed_back_pending_points;
  if (pending_rolled != m.closing_pending_points) {
    return InternalMismatch(month, "pending", pending_rolled, m.closing_pending_points);
  }
  // Activation moves pending to available: the same points on both sides.
  const Points activated_available = net_available(EntryKind::kActivate);
  const Points available_rolled = m.opening_available_points + activated_available -
                                  m.redeemed_points - m.expired_points -
                                  m.clawed_back_available_points + m.restored_points +
                                  m.adjusted_in_points - m.adjusted_out_points;
  if (activated_available != m.activated_points || available_rolled != m.closing_available_points) {
    return InternalMismatch(month, "available", available_rolled, m.closing_available_points);
  }

  KindTotals through = before;
  through.Add(during);
  m.cumulative_expired_points = -(through.Of(EntryKind::kExpire).available_in_points +
                                  through.Of(EntryKind::kExpire).available_out_points);
  const EntryKindSum& redeem = through.Of(EntryKind::kRedeem);
  const EntryKindSum& restore = through.Of(EntryKind::kRestore);
  m.cumulative_used_points = -(redeem.available_in_points + redeem.available_out_points) -
                             (restore.available_in_points + restore.available_out_points);
  m.breakage_rate_bp =
      RateBp(m.expired_points, m.expired_points + m.redeemed_points - m.restored_points);
  m.cumulative_breakage_rate_bp =
      RateBp(m.cumulative_expired_points, m.cumulative_expired_points + m.cumulative_used_points);

  // Every won figure is points x value: refuse a month whose figures would not fit.
  const Points largest = kMaxJsonSafeInteger / point_value_won;
  for (Points p :
       {m.opening_pending_points, m.opening_available_points, m.earned_points, m.activated_points,
        m.clawed_back_pending_points, m.redeemed_points, m.expired_points,
        m.clawed_back_available_points, m.restored_points, m.adjusted_in_points,
        m.adjusted_out_points, m.closing_pending_points, m.closing_available_points,
        m.closing_points(), m.opening_pending_points + m.opening_available_points}) {
    if (p > largest || p < -largest) {
      return Status(Code::kInternal, "liability report " + FormatLocalMonth(month) + ": " +
                                         std::to_string(p) + " points at ₩" +
                                         std::to_string(point_value_won) +
                                         " exceed the largest amount a JSON number carries");
    }
  }
  return m;
}

Status ValidateLiabilityRequest(const LiabilityRequest& r, const Program& p) {
  if (r.months < 1 || r.months > kMaxReportMonths) {
    return Status::Invalid("months", "must be 1 to " + std::to_string(kMaxReportMonths));
  }
  const LocalDate today = BusinessDate(r.now_us, p.time_zone);
  const LocalMonth current{today.year, today.month};
  const std::string in_zone =
      " (the current month in " + p.time_zone + " is " + FormatLocalMonth(current) + ")";
  if (r.first > current) {
    return Status::Invalid("month", FormatLocalMonth(r.first) + " has not begun yet" + in_zone);
  }
  const LocalMonth last = AddMonths(r.first, r.months - 1);
  if (last > current) {
    return Status::Invalid(
        "months", std::to_string(r.months) + " months from " + FormatLocalMonth(r.first) +
                      " reach " + FormatLocalMonth(last) + ", which has not begun yet" + in_zone);
  }
  return Status::Ok();
}

Result<LiabilityReport> BuildLiabilityReport(LedgerRecords& records, const Program& p,
                                             const LiabilityRequest& r) {
  LOYALTY_RETURN_IF_ERROR(ValidateLiabilityRequest(r, p));
  LiabilityReport report;
  report.time_zone = p.time_zone;
  report.generated_at_us = r.now_us;
  Micros from_us = StartOfMonth(r.first, p.time_zone);
  LOYALTY_ASSIGN_OR_RETURN(std::vector<EntryKindSum> rows,
                           records.SumEntriesByKind(std::numeric_limits<Micros>::min(), from_us));
  LOYALTY_ASSIGN_OR_RETURN(KindTotals before, KindTotals::From(rows));
  for (int i = 0; i < r.months; ++i) {
    const LocalMonth month = AddMonths(r.first, i);
    const Micros to_us = StartOfMonth(AddMonths(month, 1), p.time_zone);
    LOYALTY_ASSIGN_OR_RETURN(rows, records.SumEntriesByKind(from_us, to_us));
    LOYALTY_ASSIGN_OR_RETURN(KindTotals during, KindTotals::From(rows));
    LOYALTY_ASSIGN_OR_RETURN(LiabilityMonth m, LiabilityMonthFromSums(month, from_us, to_us, before,
                                                                      during, p.point_value_won));
    m.complete = to_us <= r.now_us;
    report.months.push_back(std::move(m));
    before.Add(during);
    from_us = to_us;
  }
  return report;
}

std::vector<std::string> LiabilityColumns() {
  std::vector<std::string> names;
  for (const Cell& c : CellsOf(LiabilityMonth{})) names.push_back(c.name);
  return names;
}

std::string LiabilityReportJson(const LiabilityReport& report) {
  std::string months = "[";
  for (size_t i = 0; i < report.months.size(); ++i) {
    if (i > 0) months += ",";
    months += MonthJson(report.months[i]);
  }
  months += "]";
  return JsonWriter()
      .Str("time_zone", report.time_zone)
      .Str("generated_at", FormatInstant(report.generated_at_us))
      .Raw("months", months)
      .Finish();
}

std::string LiabilityReportCsv(const LiabilityReport& report) {
  std::string out;
  const std::vector<std::string> names = LiabilityColumns();
  for (size_t i = 0; i < names.size(); ++i) out += (i > 0 ? "," : "") + names[i];
  out += "\r\n";
  for (const LiabilityMonth& m : report.months) {
    const std::vector<Cell> cells = CellsOf(m);
    for (size_t i = 0; i < cells.size(); ++i) out += (i > 0 ? "," : "") + CsvField(cells[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace loyalty
