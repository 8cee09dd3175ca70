#include "jobs/simulate.h"

#include <cstdio>
#include <memory>

#include "core/points_math.h"
#include "core/tiers.h"

namespace loyalty {

std::string SimulationReport::ToText() const {
  std::string out = "simulation for " + FormatLocalDate(date) + " over " +
                    std::to_string(customers) + " customers (nothing written)\n";
  char line[200];
  for (const auto& [move, n] : moves) {
    std::snprintf(line, sizeof line, "  %-10s -> %-10s %10lld%s\n", move.first.c_str(),
                  move.second.c_str(), static_cast<long long>(n),
                  move.first == move.second ? "  (stay)" : "");
    out += line;
  }
  std::snprintf(line, sizeof line,
                "  points liability today: %lld points (available + pending)\n"
                "  points the last window's spend earns: %lld now, %lld under the new rules "
                "(%+lld)\n",
                static_cast<long long>(liability_points),
                static_cast<long long>(window_earn_current_points),
                static_cast<long long>(window_earn_new_points),
                static_cast<long long>(window_earn_new_points - window_earn_current_points));
  out += line;
  return out;
}

Result<SimulationReport> SimulateProgram(Store& store, const Program& current,
                                         const Program& proposed, const LocalDate& date) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
  SimulationReport r;
  r.date = date;
  LOYALTY_RETURN_IF_ERROR(s->Begin());
  struct Guard {
    Session& s;
    ~Guard() { s.Rollback(); }  // a simulation never commits
  } guard{*s};
  Window w = WindowFor(proposed.tiering, date);
  LOYALTY_ASSIGN_OR_RETURN(int64_t n,
                           s->RecomputeWindowSpend(w.start, w.end, ToDateKey(date), 0, 1));
  (void)n;
  Program assessed = proposed;
  assessed.tiering.schedule = EvaluationSchedule::kDaily;  // assess as on an evaluation date
  std::string after;
  for (;;) {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<TierStanding> page, s->ListStandings(after, 1000, 0, 1));
    for (const TierStanding& t : page) {
      ++r.customers;
      r.liability_points += t.available_points + t.pending_points;
      TierDecision d =
          DecideTier(assessed, date, t.tier, t.tier_since_us, t.window_spend_won, t.window_orders);
      const TierRule& now_rule = current.tiers[TierIndex(current, t.tier)];
      const TierRule& new_rule = assessed.tiers[d.to];
      ++r.moves[{t.tier, new_rule.code}];
      r.window_earn_current_points +=
          EarnPoints(t.window_spend_won, now_rule.earn_rate_bp, current.truncation_unit_points);
      r.window_earn_new_points +=
          EarnPoints(t.window_spend_won, new_rule.earn_rate_bp, proposed.truncation_unit_points);
    }
    if (page.size() < 1000) break;
    after = page.back().customer_id;
  }
  return r;
}

}  // namespace loyalty
