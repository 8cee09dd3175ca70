// Refunds and cancellation: proportional clawback of earned points and restore of redeemed
// points into the lots they came from. Arithmetic and truncation: docs/ledger.md, "Refunds".
#include <algorithm>
#include <map>

#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/points_math.h"

namespace loyalty {
using namespace internal;

namespace {

struct LotDraw {
  Lot lot;
  Points outstanding = 0;  // drawn by the order's redemption and not yet restored
};

// Lots the order's redemption drew from, with what is still owed back to each, in the order
// restores fill them: the reverse of the draw (the longest-lived lot gets points back first).
Result<std::vector<LotDraw>> RedemptionDraws(Session& s, const Order& o) {
  EntryQuery q;
  q.customer_id = o.customer_id;
  q.order_id = o.order_id;
  q.limit = kMaxPageSize;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Entry> entries, s.ListEntries(q));
  std::map<int64_t, Points> owed;
  std::vector<int64_t> draw_order;
  for (const Entry& e : entries) {
    if (e.kind != EntryKind::kRedeem && e.kind != EntryKind::kRestore) continue;
    for (const Allocation& a : e.allocations) {
      if (e.kind == EntryKind::kRedeem && !owed.count(a.lot_id)) draw_order.push_back(a.lot_id);
      owed[a.lot_id] -= a.points;  // redeem allocations are negative, restores positive
    }
  }
  std::vector<LotDraw> out;
  for (auto it = draw_order.rbegin(); it != draw_order.rend(); ++it) {
    if (owed[*it] <= 0) continue;
    LOYALTY_ASSIGN_OR_RETURN(std::optional<Lot> lot, s.FindLot(*it));
    LOYALTY_CHECK(lot.has_value());
    out.push_back(LotDraw{std::move(*lot), owed[*it]});
  }
  return out;
}

// Gives `points` back to the lots the order drew from; lots already past expiry expire again
// at once in a separate kExpire entry. Returns how many of the points did (never usable).
Result<Points> Restore(Session& s, Customer& c, const Order& o, const std::string& refund_id,
                       Points points, const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(std::vector<LotDraw> draws, RedemptionDraws(s, o));
  Entry e;
  e.customer_id = c.customer_id;
  e.kind = EntryKind::kRestore;
  e.order_id = o.order_id;
  e.ref_id = refund_id;
  Points left = points;
  Points into_expired = 0;
  for (LotDraw& d : draws) {
    if (left == 0) break;
    Points give = std::min(left, d.outstanding);
    d.lot.remaining_points += give;
    d.lot.expired = false;  // re-expired below if past its expiry
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(d.lot));
    e.allocations.push_back({d.lot.lot_id, give});
    if (d.lot.expires_at_us > 0 && d.lot.expires_at_us <= ctx.now_us) into_expired += give;
    left -= give;
  }
  LOYALTY_CHECK(left == 0);  // restores never exceed what was redeemed
  e.available_delta = points;
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, WriteEntry(s, e, ctx));
  c.available_points += points;
  LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "points.restored",
                                      JsonWriter()
                                          .Int("entry_id", id)
                                          .Str("order_id", o.order_id)
                                          .Str("refund_id", refund_id)
                                          .Int("points", points)
                                          .Finish(),
                                      ctx));
  // The refund expired every due lot before restoring: what expires now is what went back
  // into lots past their expiry, nothing else.
  LOYALTY_ASSIGN_OR_RETURN(Points expired, ExpireDue(s, c, ctx));
  LOYALTY_CHECK(expired == into_expired);
  return expired;
}

struct ClawResult {
  Points clawed_points = 0;     // removed from the pending or available balance (or a deficit)
  Points shortfall_points = 0;  // what the balance could not cover (take_available, deduct)
};

// Takes back `points` earned by the order: from its pending lot while not activated, else from
// the order's own available lot first, then other live lots soonest expiry first. What the
// balance cannot cover is handled by the clawback policy.
Result<ClawResult> Clawback(Session& s, Customer& c, Order& o, const std::string& refund_id,
                            Points points, const Ctx& ctx) {
  Entry e;
  e.customer_id = c.customer_id;
  e.kind = EntryKind::kReverse;
  e.order_id = o.order_id;
  e.ref_id = refund_id;
  ClawResult res;
  if (!o.earn_activated) {
    LotQuery q;
    q.customer_id = c.customer_id;
    q.kind = LotKind::kPending;
    q.order_id = o.order_id;
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, s.FindLots(q));
    LOYALTY_CHECK(lots.size() == 1 && lots[0].remaining_points >= points);
    lots[0].remaining_points -= points;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(lots[0]));
    e.allocations.push_back({lots[0].lot_id, -points});
    e.pending_delta = -points;
    LOYALTY_ASSIGN_OR_RETURN(int64_t id, WriteEntry(s, e, ctx));
    (void)id;
    c.pending_points -= points;
    res.clawed_points = points;
    return res;
  }
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, LiveLots(s, c.customer_id, ctx));
  std::stable_partition(lots.begin(), lots.end(),
                        [&](const Lot& l) { return l.order_id == o.order_id; });
  Points take = std::min(points, std::max<Points>(0, c.available_points));
  Points left = take;
  for (Lot& l : lots) {
    if (left == 0) break;
    Points t = std::min(left, l.remaining_points);
    l.remaining_points -= t;
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(l));
    e.allocations.push_back({l.lot_id, -t});
    left -= t;
  }
  LOYALTY_CHECK(left == 0);
  e.available_delta = -take;
  c.available_points -= take;
  res.clawed_points = take;
  Points shortfall = points - take;
  if (shortfall > 0) {
    if (ctx.program.clawback_policy == ClawbackPolicy::kAllowNegative) {
      LOYALTY_ASSIGN_OR_RETURN(Allocation a, AddDeficit(s, c, shortfall, ctx));
      e.allocations.push_back(a);
      e.available_delta -= shortfall;
      e.reason = "negative_balance";
      res.clawed_points += shortfall;  // removed all the same: the balance went below zero
    } else {
      res.shortfall_points = shortfall;
      e.reason = ctx.program.clawback_policy == ClawbackPolicy::kDeductFromRefund
                     ? "shortfall_deducted_from_refund"
                     : "shortfall_not_recovered";
    }
  }
  if (!e.allocations.empty() || !e.reason.empty()) {
    LOYALTY_ASSIGN_OR_RETURN(int64_t id, WriteEntry(s, e, ctx));
    (void)id;
  }
  return res;
}

Status ValidateRefund(const RefundRequest& r) {
  LOYALTY_RETURN_IF_ERROR(CheckId("order_id", r.order_id));
  LOYALTY_RETURN_IF_ERROR(CheckId("refund_id", r.refund_id));
  if (!r.cancel && r.amount_won <= 0) {
    return Status::Invalid("amount_won", "must be a positive amount of won");
  }
  if (r.amount_won > kMaxOrderAmountWon) return Status::Invalid("amount_won", "is too large");
  return Status::Ok();
}

}  // namespace

Result<RefundWrite> RefundOrder(Session& s, const RefundRequest& r, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(ValidateRefund(r));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> peek, s.FindOrder(r.order_id));
  if (!peek) return Status(Code::kNotFound, "no order '" + r.order_id + "'", "order_id");
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, peek->customer_id));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> found, s.FindOrder(r.order_id));
  Order o = std::move(*found);
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Refund> prior, s.FindRefund(r.order_id, r.refund_id));
  if (prior) {
    if (prior->request_hash != r.request_hash || prior->cancel != r.cancel) {
      return Status(Code::kIdempotencyConflict,
                    "refund_id was already used with a different request", "refund_id");
    }
    return RefundWrite{std::move(*prior), std::move(o), true};
  }
  if (o.status == OrderStatus::kCancelled) {
    return Status(Code::kInvalidState, "the order is already fully refunded", "order_id");
  }
  Won remaining = o.amount_won - o.refunded_won;
  Won amount = r.cancel ? remaining : r.amount_won;
  if (amount > remaining) {
    return Status(Code::kRefundExceedsOrder,
                  "only ₩" + std::to_string(remaining) + " of the order is left to refund",
                  "amount_won");
  }
  LOYALTY_ASSIGN_OR_RETURN(Points expired, ExpireDue(s, c, ctx));
  (void)expired;

  // Cumulative targets: after this refund, floor(total * refunded / amount) of each has been
  // handled; the last refund therefore settles exactly what is left.
  Won refunded_after = o.refunded_won + amount;
  Points restore = ProportionFloor(o.points_redeemed, refunded_after, o.amount_won) -
                   (o.restored_points + o.restored_expired_points);
  Points claw =
      ProportionFloor(o.earn_points, refunded_after, o.amount_won) - o.clawback_requested_points;
  LOYALTY_CHECK(restore >= 0 && claw >= 0);

  Refund f;
  f.order_id = o.order_id;
  f.refund_id = r.refund_id;
  f.amount_won = amount;
  f.cancel = r.cancel;
  f.request_hash = r.request_hash;
  f.created_at_us = ctx.now_us;
  f.clawback_requested_points = claw;
  // Restore first: points given back may cover the clawback (no needless shortfall).
  if (restore > 0) {
    LOYALTY_ASSIGN_OR_RETURN(f.restored_expired_points,
                             Restore(s, c, o, r.refund_id, restore, ctx));
  }
  f.restored_points = restore - f.restored_expired_points;
  if (claw > 0) {
    LOYALTY_ASSIGN_OR_RETURN(ClawResult cr, Clawback(s, c, o, r.refund_id, claw, ctx));
    f.clawed_points = cr.clawed_points;
    f.shortfall_points = cr.shortfall_points;
  }
  // What was not paid in cash (points and coupons) is handed back in proportion too, over their
  // sum, so that cumulative truncation never takes a refund below zero: the cash refund is the
  // refunded share of the amount less the non-cash share of it (= restore without coupons).
  const Won non_cash = o.points_redeemed + o.coupon_discount_won;
  Won cash = amount - (ProportionFloor(non_cash, refunded_after, o.amount_won) -
                       ProportionFloor(non_cash, o.refunded_won, o.amount_won));
  if (ctx.program.clawback_policy == ClawbackPolicy::kDeductFromRefund) {
    f.deduction_won = std::min<Won>(f.shortfall_points, cash);
    f.shortfall_points -= f.deduction_won;  // what even the cash refund could not cover
  }
  f.cash_refund_won = cash - f.deduction_won;
  LOYALTY_CHECK(f.clawed_points + f.deduction_won + f.shortfall_points ==
                f.clawback_requested_points);
  LOYALTY_CHECK(f.restored_points >= 0 && f.restored_expired_points >= 0);

  o.refunded_won = refunded_after;
  o.restored_points += f.restored_points;
  o.restored_expired_points += f.restored_expired_points;
  o.clawback_requested_points += claw;
  o.earn_clawed_points += f.clawed_points;
  o.shortfall_points += f.shortfall_points;
  o.qualifying_won = (o.amount_won - o.refunded_won) -
                     (non_cash - ProportionFloor(non_cash, o.refunded_won, o.amount_won));
  if (o.refunded_won == o.amount_won) {
    o.status = OrderStatus::kCancelled;
    o.cancelled_at_us = ctx.now_us;
    LOYALTY_RETURN_IF_ERROR(RestoreOrderCoupons(s, c, o, ctx));
  }
  LOYALTY_RETURN_IF_ERROR(RecountSpendAfterRefund(s, c, o, ctx));
  LOYALTY_RETURN_IF_ERROR(s.UpdateOrder(o));
  LOYALTY_RETURN_IF_ERROR(s.InsertRefund(f));
  LOYALTY_RETURN_IF_ERROR(
      AppendEvent(s, c, o.status == OrderStatus::kCancelled ? "order.cancelled" : "order.refunded",
                  JsonWriter()
                      .Str("order_id", o.order_id)
                      .Str("refund_id", f.refund_id)
                      .Int("amount_won", f.amount_won)
                      .Int("restored_points", f.restored_points)
                      .Int("restored_expired_points", f.restored_expired_points)
                      .Int("clawback_requested_points", f.clawback_requested_points)
                      .Int("clawed_points", f.clawed_points)
                      .Int("shortfall_points", f.shortfall_points)
                      .Int("deduction_won", f.deduction_won)
                      .Int("cash_refund_won", f.cash_refund_won)
                      .Int("qualifying_won", o.qualifying_won)
                      .Finish(),
                  ctx));
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return RefundWrite{std::move(f), std::move(o), false};
}

}  // namespace loyalty
