#include "core/tiers.h"

#include <algorithm>

namespace loyalty {

DateKey ToDateKey(const LocalDate& d) { return d.year * 10000 + d.month * 100 + d.day; }
LocalDate FromDateKey(DateKey k) { return LocalDate{k / 10000, (k / 100) % 100, k % 100}; }

Window WindowFor(const TierSettings& t, const LocalDate& d) {
  switch (t.window) {
    case WindowKind::kRollingMonths:
      return {ToDateKey(AddDays(AddMonths(d, -t.window_months), 1)), ToDateKey(d)};
    case WindowKind::kCalendarYear:
      return {ToDateKey(LocalDate{d.year, 1, 1}), ToDateKey(d)};
    case WindowKind::kLifetime:
      return {ToDateKey(LocalDate{1900, 1, 1}), ToDateKey(d)};
  }
  return {ToDateKey(d), ToDateKey(d)};
}

size_t QualifiedTier(const Program& p, Won spend_won, int32_t orders) {
  size_t best = 0;
  for (size_t i = 1; i < p.tiers.size(); ++i) {
    if (spend_won >= p.tiers[i].threshold_won && orders >= p.tiers[i].min_orders) best = i;
  }
  return best;
}

LocalDate RetainedUntil(const Program& p, Micros tier_since_us) {
  return AddMonths(BusinessDate(tier_since_us, p.time_zone), p.tiering.retention_months);
}

size_t TierIndex(const Program& p, const std::string& code) {
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    if (p.tiers[i].code == code) return i;
  }
  return 0;
}

namespace {

LocalDate EvaluationDayOf(const TierSettings& t, int year, int month) {
  LocalDate last = EndOfMonth(LocalDate{year, month, 1});
  return LocalDate{year, month, std::min(t.evaluation_day, last.day)};
}

}  // namespace

bool IsEvaluationDate(const TierSettings& t, const LocalDate& d) {
  if (t.schedule == EvaluationSchedule::kDaily) return true;
  return EvaluationDayOf(t, d.year, d.month) == d;
}

LocalDate NextEvaluationDate(const TierSettings& t, const LocalDate& d) {
  if (t.schedule == EvaluationSchedule::kDaily) return AddDays(d, 1);
  LocalDate this_month = EvaluationDayOf(t, d.year, d.month);
  if (this_month > d) return this_month;
  LocalDate next = AddMonths(LocalDate{d.year, d.month, 1}, 1);
  return EvaluationDayOf(t, next.year, next.month);
}

TierDecision DecideTier(const Program& p, const LocalDate& d, const std::string& current_tier,
                        Micros tier_since_us, Won spend_won, int32_t orders) {
  const size_t current = TierIndex(p, current_tier);
  const size_t qualified = QualifiedTier(p, spend_won, orders);
  TierDecision out;
  out.from = current;
  out.to = current;
  if (qualified > current) {
    out.kind = TierDecision::Kind::kUpgrade;  // normally done at once; the job catches misses
    out.to = qualified;
    out.reason = "missed_upgrade";
    return out;
  }
  if (qualified == current) return out;
  if (!p.tiers[current].downgradable) {
    out.reason = "lifetime";
    return out;
  }
  if (!IsEvaluationDate(p.tiering, d)) {
    out.reason = "not_an_evaluation_date";
    return out;
  }
  if (d < RetainedUntil(p, tier_since_us)) {
    out.reason = "retained";
    return out;
  }
  out.kind = TierDecision::Kind::kDowngrade;
  out.to = p.tiering.policy == DowngradePolicy::kOneStep ? current - 1 : qualified;
  out.reason = "below_threshold";
  return out;
}

TierChange MakeTierChange(const Program& p, const std::string& customer_id, size_t from, size_t to,
                          const std::string& reason, const Window& w, Won spend_won, int32_t orders,
                          const LocalDate& business_date, Micros now_us) {
  TierChange c;
  c.customer_id = customer_id;
  c.from_tier = p.tiers[from].code;
  c.to_tier = p.tiers[to].code;
  c.kind = to > from ? "upgrade" : "downgrade";
  c.reason = reason;
  c.window_start = w.start;
  c.window_end = w.end;
  c.qualifying_won = spend_won;
  c.threshold_won = p.tiers[to].threshold_won;
  c.order_count = orders;
  c.policy = to > from ? "immediate" : DowngradePolicyName(p.tiering.policy);
  c.rule_version = p.version;
  c.business_date = ToDateKey(business_date);
  c.created_at_us = now_us;
  return c;
}

}  // namespace loyalty
