// Order commands: create (earn + redeem), confirm (activate), activation by the job.
#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/limits.h"
#include "core/messaging.h"
#include "core/points_math.h"

namespace loyalty {
using namespace internal;

namespace {

Status ValidateOrder(const OrderRequest& r) {
  LOYALTY_RETURN_IF_ERROR(CheckId("order_id", r.order_id));
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", r.customer_id));
  if (r.amount_won <= 0) return Status::Invalid("amount_won", "must be a positive amount of won");
  if (r.amount_won > kMaxOrderAmountWon) {
    return Status::Invalid("amount_won", "is above the ₩10,000,000,000 limit per order");
  }
  if (r.shipping_won < 0) return Status::Invalid("shipping_won", "must not be negative");
  if (r.shipping_won > kMaxOrderAmountWon) return Status::Invalid("shipping_won", "is too large");
  if (r.points_to_redeem < 0) return Status::Invalid("points_to_redeem", "must not be negative");
  return Status::Ok();
}

int32_t RateFor(const Program& p, const std::string& tier_code) {
  const TierRule* t = p.FindTier(tier_code);
  return (t != nullptr ? *t : p.EntryTier()).earn_rate_bp;
}

bool ConfirmActivates(PendingMode m) {
  return m == PendingMode::kUntilConfirmation || m == PendingMode::kConfirmationOrDays;
}

bool DaysActivate(PendingMode m) {
  return m == PendingMode::kDays || m == PendingMode::kConfirmationOrDays;
}

Result<Order> LoadOrder(Session& s, const std::string& order_id) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> o, s.FindOrder(order_id));
  if (!o) return Status(Code::kNotFound, "no order '" + order_id + "'", "order_id");
  return std::move(*o);
}

}  // namespace

Result<OrderWrite> CreateOrder(Session& s, const OrderRequest& r, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(ValidateOrder(r));
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, r.customer_id));  // locks the customer
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> prior, s.FindOrder(r.order_id));
  if (prior) {
    if (prior->request_hash != r.request_hash) {
      return Status(Code::kIdempotencyConflict,
                    "order_id was already used with a different request", "order_id");
    }
    return OrderWrite{std::move(*prior), true};
  }
  LOYALTY_ASSIGN_OR_RETURN(Points expired, ExpireDue(s, c, ctx));
  (void)expired;

  Order o;
  o.order_id = r.order_id;
  o.customer_id = r.customer_id;
  o.amount_won = r.amount_won;
  o.shipping_won = r.shipping_won;
  o.tier_at_order = c.tier;
  o.earn_rate_bp = RateFor(ctx.program, c.tier);
  o.rule_version = ctx.program.version;
  o.placed_at_us = ctx.now_us;
  o.request_hash = r.request_hash;

  // Coupons and points in the programme's order of application (docs/coupons.md).
  const bool coupon_first =
      ctx.program.coupons.application_order == CouponApplicationOrder::kCouponThenPoints;
  CouponPlan plan;
  if (coupon_first) {
    LOYALTY_ASSIGN_OR_RETURN(
        plan, PlanCoupons(s, c.customer_id, r.coupon_codes, r.amount_won, r.amount_won, ctx));
  }
  const Won points_base = r.amount_won - plan.discount_won;
  if (r.points_to_redeem > 0) {
    LOYALTY_RETURN_IF_ERROR(
        CheckRedemption(ctx.program, points_base, r.points_to_redeem, c.available_points));
    o.points_redeemed = r.points_to_redeem;
  }
  if (!coupon_first) {
    LOYALTY_ASSIGN_OR_RETURN(plan, PlanCoupons(s, c.customer_id, r.coupon_codes, r.amount_won,
                                               r.amount_won - o.points_redeemed, ctx));
  }
  o.coupon_discount_won = plan.discount_won;
  o.coupon_codes = plan.codes;
  o.paid_won = o.amount_won - o.coupon_discount_won - o.points_redeemed;
  o.qualifying_won = o.paid_won;
  o.earn_points = EarnPoints(o.paid_won, o.earn_rate_bp, ctx.program.truncation_unit_points);
  // The order row goes in before the entries and lots that reference it.
  LOYALTY_RETURN_IF_ERROR(s.InsertOrder(o));
  LOYALTY_RETURN_IF_ERROR(RedeemCoupons(s, c, o, plan, ctx));

  if (o.points_redeemed > 0) {
    Entry e;
    e.kind = EntryKind::kRedeem;
    e.order_id = o.order_id;
    auto id = Debit(s, c, o.points_redeemed, e, ctx);
    if (!id.ok()) return id.status();
  }
  if (o.earn_points > 0) {
    Lot p;
    p.customer_id = c.customer_id;
    p.kind = LotKind::kPending;
    p.order_id = o.order_id;
    p.initial_points = o.earn_points;
    p.remaining_points = o.earn_points;
    p.created_at_us = ctx.now_us;
    LOYALTY_ASSIGN_OR_RETURN(p.lot_id, s.InsertLot(p));
    Entry e;
    e.customer_id = c.customer_id;
    e.kind = EntryKind::kEarn;
    e.order_id = o.order_id;
    e.pending_delta = o.earn_points;
    e.allocations.push_back({p.lot_id, o.earn_points});
    LOYALTY_ASSIGN_OR_RETURN(p.source_entry_id, WriteEntry(s, e, ctx));
    LOYALTY_RETURN_IF_ERROR(s.UpdateLot(p));
    c.pending_points += o.earn_points;
  }
  LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "order.placed", OrderPayload(o), ctx));
  bool order_changed = false;
  if (ctx.program.pending_mode == PendingMode::kImmediate) {
    LOYALTY_RETURN_IF_ERROR(ActivateOrderEarn(s, c, o, ctx));
    order_changed = true;
  }
  if (ctx.program.tiering.counts_at == SpendMoment::kPlacement) {
    LOYALTY_RETURN_IF_ERROR(CountSpend(s, c, o, ctx));
    order_changed = true;
  }
  if (order_changed) LOYALTY_RETURN_IF_ERROR(s.UpdateOrder(o));
  LOYALTY_RETURN_IF_ERROR(OnOrderPlaced(s, c, o, ctx));  // pending cart reminders are withdrawn
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return OrderWrite{std::move(o), false};
}

Result<OrderWrite> ConfirmOrder(Session& s, const std::string& order_id, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("order_id", order_id));
  LOYALTY_ASSIGN_OR_RETURN(Order peek, LoadOrder(s, order_id));
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, peek.customer_id));  // lock, then re-read
  LOYALTY_ASSIGN_OR_RETURN(Order o, LoadOrder(s, order_id));
  if (o.status == OrderStatus::kConfirmed) return OrderWrite{std::move(o), true};
  if (o.status == OrderStatus::kCancelled) {
    return Status(Code::kInvalidState, "a cancelled order cannot be confirmed", "order_id");
  }
  o.status = OrderStatus::kConfirmed;
  o.confirmed_at_us = ctx.now_us;
  if (ConfirmActivates(ctx.program.pending_mode)) {
    LOYALTY_RETURN_IF_ERROR(ActivateOrderEarn(s, c, o, ctx));
  }
  LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "order.confirmed", OrderPayload(o), ctx));
  if (ctx.program.tiering.counts_at == SpendMoment::kConfirmation) {
    LOYALTY_RETURN_IF_ERROR(CountSpend(s, c, o, ctx));
  }
  LOYALTY_RETURN_IF_ERROR(s.UpdateOrder(o));
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return OrderWrite{std::move(o), false};
}

Result<bool> ActivateIfMatured(Session& s, const std::string& order_id, const Ctx& ctx) {
  if (!DaysActivate(ctx.program.pending_mode)) return false;
  LOYALTY_ASSIGN_OR_RETURN(Order peek, LoadOrder(s, order_id));
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, peek.customer_id));
  LOYALTY_ASSIGN_OR_RETURN(Order o, LoadOrder(s, order_id));
  if (o.earn_activated || o.status == OrderStatus::kCancelled) return false;
  Micros due_us = o.placed_at_us + int64_t{ctx.program.pending_days} * kDayUs;
  if (ctx.now_us < due_us) return false;
  LOYALTY_RETURN_IF_ERROR(ActivateOrderEarn(s, c, o, ctx));
  LOYALTY_RETURN_IF_ERROR(s.UpdateOrder(o));
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return true;
}

}  // namespace loyalty
