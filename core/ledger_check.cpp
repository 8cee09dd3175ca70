// Ledger invariants (docs/ledger.md, "Invariants"), checked by `loyalty check` and the tests.
#include <map>

#include "core/ledger.h"

namespace loyalty {
namespace {

void Problem(CheckReport& r, const Customer& c, const std::string& what) {
  r.problems.push_back("customer " + c.customer_id + ": " + what);
}

std::string Pair(int64_t a, int64_t b) { return std::to_string(a) + " != " + std::to_string(b); }

}  // namespace

Status CheckCustomer(Session& s, const Customer& c, const Program& p, CheckReport& report) {
  LotQuery lq;
  lq.customer_id = c.customer_id;
  lq.only_nonzero = false;
  lq.include_expired = true;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, s.FindLots(lq));
  report.lots += static_cast<int64_t>(lots.size());
  std::map<int64_t, const Lot*> by_id;
  Points lot_available = 0, lot_pending = 0;
  bool has_deficit = false;
  for (const Lot& l : lots) {
    by_id[l.lot_id] = &l;
    if (l.kind == LotKind::kPending) {
      lot_pending += l.remaining_points;
      if (l.remaining_points < 0)
        Problem(report, c, "pending lot " + std::to_string(l.lot_id) + " is negative");
    } else {
      lot_available += l.remaining_points;
      if (l.kind == LotKind::kAvailable && l.remaining_points < 0) {
        Problem(report, c, "lot " + std::to_string(l.lot_id) + " is negative");
      }
      if (l.kind == LotKind::kDeficit) {
        if (l.remaining_points > 0) Problem(report, c, "deficit lot is positive");
        if (l.remaining_points < 0) has_deficit = true;
      }
      if (l.expired && l.remaining_points != 0) {
        Problem(report, c, "expired lot " + std::to_string(l.lot_id) + " still holds points");
      }
    }
  }
  if (lot_available != c.available_points) {
    Problem(report, c,
            "available balance != sum of lots: " + Pair(c.available_points, lot_available));
  }
  if (lot_pending != c.pending_points) {
    Problem(report, c,
            "pending balance != sum of pending lots: " + Pair(c.pending_points, lot_pending));
  }
  if (c.pending_points < 0) Problem(report, c, "pending balance is negative");
  bool negative_allowed =
      p.clawback_policy == ClawbackPolicy::kAllowNegative || p.allow_negative_adjustments;
  if (has_deficit && !negative_allowed) {
    Problem(report, c, "negative balance although the programme does not allow one");
  }

  // Entries: deltas add up to the balances, allocations to every lot's remaining.
  Points entry_available = 0, entry_pending = 0;
  std::map<int64_t, Points> alloc_sum;
  EntryQuery eq;
  eq.customer_id = c.customer_id;
  eq.limit = kMaxPageSize;
  for (;;) {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Entry> page, s.ListEntries(eq));
    for (const Entry& e : page) {
      ++report.entries;
      entry_available += e.available_delta;
      entry_pending += e.pending_delta;
      Points alloc_pending = 0, alloc_available = 0;
      for (const Allocation& a : e.allocations) {
        alloc_sum[a.lot_id] += a.points;
        auto it = by_id.find(a.lot_id);
        if (it == by_id.end()) {
          Problem(report, c, "entry " + std::to_string(e.entry_id) + " touches an unknown lot");
          continue;
        }
        (it->second->kind == LotKind::kPending ? alloc_pending : alloc_available) += a.points;
      }
      if (alloc_pending != e.pending_delta || alloc_available != e.available_delta) {
        Problem(report, c, "entry " + std::to_string(e.entry_id) + " deltas differ from its lots");
      }
    }
    if (static_cast<int>(page.size()) < eq.limit) break;
    eq.before_entry_id = page.back().entry_id;
  }
  if (entry_available != c.available_points) {
    Problem(report, c,
            "available balance != sum of entries: " + Pair(c.available_points, entry_available));
  }
  if (entry_pending != c.pending_points) {
    Problem(report, c,
            "pending balance != sum of entries: " + Pair(c.pending_points, entry_pending));
  }
  for (const Lot& l : lots) {
    if (alloc_sum[l.lot_id] != l.remaining_points) {
      Problem(report, c,
              "lot " + std::to_string(l.lot_id) +
                  " remaining != its entries: " + Pair(l.remaining_points, alloc_sum[l.lot_id]));
    }
  }
  ++report.customers;
  return Status::Ok();
}

Result<CheckReport> CheckLedger(Session& s, const Program& p) {
  CheckReport report;
  std::string after;
  for (;;) {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Customer> page, s.ListCustomers(after, kMaxPageSize));
    for (const Customer& c : page) LOYALTY_RETURN_IF_ERROR(CheckCustomer(s, c, p, report));
    if (static_cast<int>(page.size()) < kMaxPageSize) break;
    after = page.back().customer_id;
  }
  return report;
}

}  // namespace loyalty
