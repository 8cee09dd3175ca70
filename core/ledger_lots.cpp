// Lots and entries: the mechanics every ledger command shares.
#include <algorithm>

#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/points_math.h"

namespace loyalty {

Status CheckId(const std::string& field, const std::string& value) {
  if (value.empty()) return Status::Invalid(field, "is required");
  if (value.size() > kMaxIdLength) {
    return Status::Invalid(field, "is longer than " + std::to_string(kMaxIdLength) + " characters");
  }
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
    if (!ok) return Status::Invalid(field, "may contain only A-Z a-z 0-9 . _ : @ -");
  }
  return Status::Ok();
}

namespace internal {

Result<Customer> LoadCustomer(Session& s, const std::string& customer_id) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(customer_id));
  if (!c) return Status(Code::kNotFound, "no customer '" + customer_id + "'", "customer_id");
  return std::move(*c);
}

Status SaveCustomer(Session& s, Customer& c, const Ctx& ctx) {
  c.updated_at_us = ctx.now_us;
  return s.UpdateCustomer(c);
}

Status AppendEvent(Session& s, Customer& c, const std::string& type, const std::string& payload,
                   const Ctx& ctx) {
  Event e;
  e.customer_id = c.customer_id;
  e.seq = ++c.event_seq;
  e.type = type;
  e.payload_json = payload;
  e.created_at_us = ctx.now_us;
  auto id = s.AppendEvent(e);
  return id.ok() ? Status::Ok() : id.status();
}

Result<int64_t> WriteEntry(Session& s, Entry& e, const Ctx& ctx) {
  e.created_at_us = ctx.now_us;
  if (e.actor.empty()) e.actor = ctx.actor.Label();
  LOYALTY_ASSIGN_OR_RETURN(e.entry_id, s.InsertEntry(e));
  return e.entry_id;
}

Result<std::vector<Lot>> LiveLots(Session& s, const std::string& customer_id, const Ctx& ctx) {
  LotQuery q;
  q.customer_id = customer_id;
  q.kind = LotKind::kAvailable;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, s.FindLots(q));
  std::vector<Lot> live;
  for (Lot& l : lots) {
    if (!l.expired && l.remaining_points > 0 && l.expires_at_us > ctx.now_us) {
      live.push_back(std::move(l));
    }
  }
  return live;
}

Result<Points> ExpireDue(Session& s, Customer& c, const Ctx& ctx) {
  LotQuery q;
  q.customer_id = c.customer_id;
  q.kind = LotKind::kAvailable;
  q.only_nonzero = false;
  q.due_before_us = ctx.now_us;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> due, s.FindLots(q));
  if (due.empty()) return Points{0};
  Entry e;
  e.customer_id = c.customer_id;
  e.kind = EntryKind::kExpire;
  e.actor = "system:expiry";
  Points total = 0;
  for (Lot& lot : due) {
    LOYALTY_CHECK(lot.remaining_points >= 0);
    if (lot.remaining_points > 0) e.allocations.push_back({lot.lot_id, -lot.remaining_points});
    total += lot.remaining_points;
    lot.remaining_points = 0;
    lot.expired = true;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(lot));
  }
  if (total == 0) return Points{0};  // only empty lots: flagged, no entry needed
  e.available_delta = -total;
  LOYALTY_ASSIGN_OR_RETURN(int64_t entry_id, WriteEntry(s, e, ctx));
  c.available_points -= total;
  LOYALTY_RETURN_IF_ERROR(AppendEvent(
      s, c, "points.expired",
      JsonWriter().Int("entry_id", entry_id).Int("points", total).Int("lots", due.size()).Finish(),
      ctx));
  return total;
}

Result<int64_t> Debit(Session& s, Customer& c, Points points, Entry e, const Ctx& ctx) {
  LOYALTY_CHECK(points > 0);
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, LiveLots(s, c.customer_id, ctx));
  std::vector<Allocation> plan = PlanDebit(lots, points);
  for (const Allocation& a : plan) {
    auto it =
        std::find_if(lots.begin(), lots.end(), [&](const Lot& l) { return l.lot_id == a.lot_id; });
    it->remaining_points += a.points;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(*it));
  }
  e.customer_id = c.customer_id;
  e.available_delta -= points;
  e.allocations.insert(e.allocations.end(), plan.begin(), plan.end());
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, WriteEntry(s, e, ctx));
  c.available_points -= points;
  return id;
}

Result<Allocation> AddDeficit(Session& s, Customer& c, Points points, const Ctx& ctx) {
  LOYALTY_CHECK(points > 0);
  LotQuery q;
  q.customer_id = c.customer_id;
  q.kind = LotKind::kDeficit;
  q.only_nonzero = false;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, s.FindLots(q));
  if (!lots.empty()) {
    Lot& d = lots.front();
    d.remaining_points -= points;
    d.initial_points -= points;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(d));
    c.available_points -= points;
    return Allocation{d.lot_id, -points};
  }
  Lot d;
  d.customer_id = c.customer_id;
  d.kind = LotKind::kDeficit;
  d.initial_points = -points;
  d.remaining_points = -points;
  d.created_at_us = ctx.now_us;
  LOYALTY_ASSIGN_OR_RETURN(d.lot_id, s.InsertLot(d));
  c.available_points -= points;
  return Allocation{d.lot_id, -points};
}

Result<int64_t> Credit(Session& s, Customer& c, Points points, Entry e, Lot* pending_lot,
                       const Ctx& ctx, Micros expires_at_us) {
  LOYALTY_CHECK(points > 0);
  e.customer_id = c.customer_id;
  if (pending_lot != nullptr) {
    LOYALTY_CHECK(pending_lot->remaining_points >= points);
    pending_lot->remaining_points -= points;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(*pending_lot));
    e.allocations.push_back({pending_lot->lot_id, -points});
    e.pending_delta -= points;
    c.pending_points -= points;
  }
  Points left = points;
  // A deficit is repaid before anything else becomes spendable.
  LotQuery q;
  q.customer_id = c.customer_id;
  q.kind = LotKind::kDeficit;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> deficits, s.FindLots(q));
  for (Lot& d : deficits) {
    if (left == 0) break;
    Points repay = std::min(left, -d.remaining_points);
    if (repay <= 0) continue;
    d.remaining_points += repay;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(d));
    e.allocations.push_back({d.lot_id, repay});
    left -= repay;
  }
  Lot lot;
  if (left > 0) {
    lot.customer_id = c.customer_id;
    lot.kind = LotKind::kAvailable;
    lot.order_id = e.order_id;
    lot.initial_points = left;
    lot.remaining_points = left;
    lot.created_at_us = ctx.now_us;
    lot.expires_at_us = expires_at_us > 0 ? expires_at_us : ExpiryFor(ctx.program, ctx.now_us);
    LOYALTY_ASSIGN_OR_RETURN(lot.lot_id, s.InsertLot(lot));
    e.allocations.push_back({lot.lot_id, left});
  }
  e.available_delta += points;
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, WriteEntry(s, e, ctx));
  if (left > 0) {
    lot.source_entry_id = id;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(lot));
  }
  c.available_points += points;
  return id;
}

Status ActivateOrderEarn(Session& s, Customer& c, Order& order, const Ctx& ctx) {
  if (order.earn_activated) return Status::Ok();
  order.earn_activated = true;
  LotQuery q;
  q.customer_id = c.customer_id;
  q.kind = LotKind::kPending;
  q.order_id = order.order_id;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, s.FindLots(q));
  for (Lot& p : lots) {
    if (p.remaining_points <= 0) continue;
    Entry e;
    e.kind = EntryKind::kActivate;
    e.order_id = order.order_id;
    Points pts = p.remaining_points;
    LOYALTY_ASSIGN_OR_RETURN(int64_t id, Credit(s, c, pts, e, &p, ctx));
    if (ctx.tally != nullptr) ctx.tally->points_activated += pts;
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "points.activated",
                                        JsonWriter()
                                            .Int("entry_id", id)
                                            .Str("order_id", order.order_id)
                                            .Int("points", pts)
                                            .Finish(),
                                        ctx));
  }
  return Status::Ok();
}

std::string OrderPayload(const Order& o) {
  return JsonWriter()
      .Str("order_id", o.order_id)
      .Str("status", OrderStatusName(o.status))
      .Int("amount_won", o.amount_won)
      .Int("points_redeemed", o.points_redeemed)
      .Int("earn_points", o.earn_points)
      .Int("refunded_won", o.refunded_won)
      .Int("qualifying_won", o.qualifying_won)
      .Finish();
}

}  // namespace internal
}  // namespace loyalty
