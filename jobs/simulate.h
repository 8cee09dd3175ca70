// `loyalty jobs simulate`: what a new programme version would do to the real ledger, writing
// nothing. Every customer's window spend is recomputed under the new window inside a
// transaction that is rolled back; each customer is then assessed under the new rules as on an
// evaluation date (retention and lifetime tiers of the new rules apply).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "core/business_time.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct SimulationReport {
  LocalDate date;
  int64_t customers = 0;
  std::map<std::pair<std::string, std::string>, int64_t> moves;  // (from, to) -> customers
  Points liability_points = 0;  // available + pending today (unchanged by a rule change)
  // Points the last window's qualifying spend earns at each customer's rate: under the current
  // rules (current tier) and under the new ones (tier after the new assessment).
  Points window_earn_current_points = 0;
  Points window_earn_new_points = 0;
  std::string ToText() const;
};

Result<SimulationReport> SimulateProgram(Store& store, const Program& current,
                                         const Program& proposed, const LocalDate& date);

}  // namespace loyalty
