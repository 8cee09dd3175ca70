// Customer-level commands: upsert, read, quote, CS adjustments, expiry.
#include <algorithm>

#include "core/business_time.h"
#include "core/consent.h"
#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/limits.h"
#include "core/messaging.h"
#include "core/points_math.h"
#include "core/tiers.h"

namespace loyalty {
using namespace internal;

namespace {

std::string CustomerPayload(const Customer& c, bool created) {
  JsonWriter w;
  w.Str("customer_id", c.customer_id).Bool("created", created);
  if (c.birth_date) {
    w.Str("birth_date", *c.birth_date);
  } else {
    w.Null("birth_date");
  }
  return w.Bool("marketing_consent", c.marketing_consent)
      .Bool("night_consent", c.night_consent)
      .Finish();
}

// Available points of c as of now: lots past their expiry that the job has not expired yet
// no longer count.
Result<Points> AvailableNow(Session& s, const Customer& c, const Ctx& ctx) {
  LotQuery q;
  q.customer_id = c.customer_id;
  q.kind = LotKind::kAvailable;
  q.due_before_us = ctx.now_us;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> due, s.FindLots(q));
  Points due_points = 0;
  for (const Lot& l : due) due_points += l.remaining_points;
  return c.available_points - due_points;
}

int32_t RateFor(const Program& p, const std::string& tier_code) {
  const TierRule* t = p.FindTier(tier_code);
  return (t != nullptr ? *t : p.EntryTier()).earn_rate_bp;
}

// The quote's nudges (docs/messages.md): the next order threshold above the amount, and what the
// order adds to the tier window by the same basis and the same spend records as the tier job.
Status AddNudges(Session& s, const Customer* c, const QuoteRequest& r, Quote& q, const Ctx& ctx) {
  const Program& p = ctx.program;
  for (const OrderThreshold& t : p.messaging.order_thresholds) {
    if (t.amount_won > r.amount_won) {
      q.next_threshold = Quote::Threshold{t.amount_won, t.label, t.amount_won - r.amount_won};
      break;
    }
  }
  Order o;  // the order as it would be written
  o.amount_won = r.amount_won;
  o.paid_won = q.paid_won;
  o.qualifying_won = q.paid_won;
  o.coupon_discount_won = q.coupon_discount_won;
  o.points_redeemed = q.points_to_redeem;
  q.qualifying_won = std::max<Won>(0, QualifyingSpendOf(p, o));
  SpendTotal total;  // an unknown customer: nothing counted yet
  size_t current = 0;
  if (c != nullptr) {
    Window w = WindowFor(p.tiering, BusinessDate(ctx.now_us, p.time_zone));
    LOYALTY_ASSIGN_OR_RETURN(total, s.SumSpend(c->customer_id, w.start, w.end));
    current = TierIndex(p, c->tier);
  }
  const Won spend = total.spend_won + q.qualifying_won;
  const int32_t orders = total.orders + (q.qualifying_won > 0 ? 1 : 0);
  const size_t reached = std::max(current, QualifiedTier(p, spend, orders));
  q.tier_on_confirmation = p.tiers[reached].code;
  q.gap_to_next_tier_won = reached + 1 < p.tiers.size()
                               ? std::max<Won>(0, p.tiers[reached + 1].threshold_won - spend)
                               : 0;
  return Status::Ok();
}

}  // namespace

Result<CustomerWrite> UpsertCustomer(Session& s, const CustomerInput& in, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", in.customer_id));
  if (in.birth_date && *in.birth_date) {
    auto d = ParseLocalDate(**in.birth_date);
    if (!d.ok()) return Status::Invalid("birth_date", d.status().message());
    if (StartOfDay(*d, ctx.program.time_zone) > ctx.now_us) {
      return Status::Invalid("birth_date", "lies in the future");
    }
  }
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> found, s.FindCustomer(in.customer_id));
  CustomerWrite out;
  out.created = !found.has_value();
  Customer c;
  if (found) {
    c = std::move(*found);
  } else {
    c.customer_id = in.customer_id;
    c.tier = ctx.program.EntryTier().code;
    c.tier_since_us = ctx.now_us;
    c.created_at_us = ctx.now_us;
    c.updated_at_us = ctx.now_us;
  }
  Customer before = c;
  if (in.birth_date) c.birth_date = *in.birth_date;
  if (in.marketing_consent) c.marketing_consent = *in.marketing_consent;
  if (in.night_consent) c.night_consent = *in.night_consent;
  const bool consent_changed =
      c.marketing_consent != before.marketing_consent || c.night_consent != before.night_consent;
  bool changed = out.created || c.birth_date != before.birth_date || consent_changed;
  if (out.created) {
    LOYALTY_RETURN_IF_ERROR(s.InsertCustomer(c));
  }
  const bool withdraw_requested = in.marketing_consent == std::optional<bool>(false);
  if (changed) {
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, out.created ? "customer.created" : "customer.updated",
                                        CustomerPayload(c, out.created), ctx));
  }
  if (changed || withdraw_requested) {
    // The consent rules of POST /v1/customers/{id}/consent (core/consent.h), channel "api": the
    // history row, the confirmation date, the suppression on a withdrawal, the notice.
    LOYALTY_RETURN_IF_ERROR(RecordConsent(s, c, before.marketing_consent, before.night_consent,
                                          kConsentChannelApi, /*reconfirm=*/false,
                                          withdraw_requested, nullptr, ctx));
  }
  if (changed) {
    // The welcome message sees the consent given with the sign-up.
    if (out.created) LOYALTY_RETURN_IF_ERROR(OnCustomerCreated(s, c, ctx));
  }
  if (changed || c.event_seq != before.event_seq) LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  out.customer = std::move(c);
  return out;
}

Result<CustomerView> ReadCustomer(Session& s, const std::string& customer_id, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", customer_id));
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  CustomerView v;
  LOYALTY_ASSIGN_OR_RETURN(c.available_points, AvailableNow(s, c, ctx));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> live, LiveLots(s, customer_id, ctx));
  if (live.size() > 5) live.resize(5);
  v.next_expiring = std::move(live);
  v.pending_points = c.pending_points;
  LOYALTY_ASSIGN_OR_RETURN(v.progress, ComputeProgress(s, c, ctx));
  v.customer = std::move(c);
  return v;
}

Result<Quote> QuoteOrder(Session& s, const QuoteRequest& r, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", r.customer_id));
  if (r.amount_won <= 0) return Status::Invalid("amount_won", "must be a positive amount of won");
  if (r.amount_won > kMaxOrderAmountWon) return Status::Invalid("amount_won", "is too large");
  if (r.points_to_redeem < 0) return Status::Invalid("points_to_redeem", "must not be negative");
  Quote q;
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(r.customer_id));
  q.tier = c ? c->tier : ctx.program.EntryTier().code;
  q.earn_rate_bp = RateFor(ctx.program, q.tier);
  if (c) {
    LOYALTY_ASSIGN_OR_RETURN(q.available_points, AvailableNow(s, *c, ctx));
  }
  // Coupons and points in the programme's order of application (docs/coupons.md). A coupon
  // that does not apply is reported in coupon_status and quoted as no discount.
  const bool coupon_first =
      ctx.program.coupons.application_order == CouponApplicationOrder::kCouponThenPoints;
  auto plan_coupons = [&](Won base_won) -> Status {
    if (r.coupon_codes.empty()) return Status::Ok();
    auto plan = PlanCoupons(s, r.customer_id, r.coupon_codes, r.amount_won, base_won, ctx);
    if (!plan.ok()) {
      if (plan.status().code() == Code::kUnavailable || plan.status().code() == Code::kRetry ||
          plan.status().code() == Code::kInternal) {
        return plan.status();
      }
      q.coupon_status = plan.status();
      return Status::Ok();
    }
    q.coupon_discount_won = plan->discount_won;
    q.coupon_codes = plan->codes;
    return Status::Ok();
  };
  if (coupon_first) LOYALTY_RETURN_IF_ERROR(plan_coupons(r.amount_won));
  const Won points_base = r.amount_won - q.coupon_discount_won;
  q.max_redeemable_points = MaxRedeemable(ctx.program, points_base, q.available_points);
  q.redeem_status =
      CheckRedemption(ctx.program, points_base, r.points_to_redeem, q.available_points);
  q.points_to_redeem = q.redeem_status.ok() ? r.points_to_redeem : 0;
  if (!coupon_first) LOYALTY_RETURN_IF_ERROR(plan_coupons(r.amount_won - q.points_to_redeem));
  q.paid_won = r.amount_won - q.coupon_discount_won - q.points_to_redeem;
  q.earn_points = EarnPoints(q.paid_won, q.earn_rate_bp, ctx.program.truncation_unit_points);
  LOYALTY_RETURN_IF_ERROR(AddNudges(s, c ? &*c : nullptr, r, q, ctx));
  return q;
}

Result<AdjustWrite> AdjustPoints(Session& s, const AdjustRequest& r, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("adjustment_id", r.adjustment_id));
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", r.customer_id));
  if (r.points == 0) return Status::Invalid("points", "must not be zero");
  if (r.points > kMaxAdjustmentPoints || r.points < -kMaxAdjustmentPoints) {
    return Status::Invalid("points", "must be within ±100,000,000");
  }
  if (r.reason_code.empty() || r.reason_code.size() > kMaxReasonCodeLength) {
    return Status::Invalid("reason_code", "must be 1 to 64 characters");
  }
  if (r.note.size() > kMaxReasonLength) return Status::Invalid("note", "is too long");
  if (r.expires_at_us != 0 && (r.points < 0 || r.expires_at_us <= ctx.now_us)) {
    return Status::Invalid(
        "expires_at", r.points < 0 ? "applies to a positive adjustment only" : "must be after now");
  }
  // The customer's row lock first: the lookup of the adjustment id below then cannot race a
  // concurrent retry of the same adjustment for this customer on another node.
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, r.customer_id));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Adjustment> prior, s.FindAdjustment(r.adjustment_id));
  if (prior) {
    if (prior->request_hash != r.request_hash || prior->customer_id != r.customer_id) {
      return Status(Code::kIdempotencyConflict,
                    "adjustment_id was already used with a different request", "adjustment_id");
    }
    return AdjustWrite{std::move(*prior), std::move(c), true};
  }
  LOYALTY_ASSIGN_OR_RETURN(Points expired, ExpireDue(s, c, ctx));
  (void)expired;
  Entry e;
  e.kind = EntryKind::kAdjust;
  e.ref_id = r.adjustment_id;
  e.reason = r.reason_code;
  int64_t entry_id = 0;
  if (r.points > 0) {
    LOYALTY_ASSIGN_OR_RETURN(entry_id, Credit(s, c, r.points, e, nullptr, ctx, r.expires_at_us));
  } else {
    Points debit = -r.points;
    Points spendable = std::max<Points>(0, c.available_points);
    if (debit > spendable && !ctx.program.allow_negative_adjustments) {
      return Status(Code::kNegativeBalanceNotAllowed,
                    "the customer has " + std::to_string(spendable) +
                        " available points; the programme does not allow a negative balance",
                    "points");
    }
    Points take = std::min(debit, spendable);
    if (take < debit) {
      LOYALTY_ASSIGN_OR_RETURN(Allocation a, AddDeficit(s, c, debit - take, ctx));
      e.allocations.push_back(a);
      e.available_delta -= debit - take;
      e.customer_id = c.customer_id;
    }
    if (take > 0) {
      LOYALTY_ASSIGN_OR_RETURN(entry_id, Debit(s, c, take, e, ctx));
    } else {
      LOYALTY_ASSIGN_OR_RETURN(entry_id, WriteEntry(s, e, ctx));
    }
  }
  Adjustment a;
  a.adjustment_id = r.adjustment_id;
  a.customer_id = r.customer_id;
  a.points = r.points;
  a.reason_code = r.reason_code;
  a.note = r.note;
  a.actor_name = ctx.actor.name;
  a.actor_role = ctx.actor.role;
  a.entry_id = entry_id;
  a.request_hash = r.request_hash;
  a.created_at_us = ctx.now_us;
  LOYALTY_RETURN_IF_ERROR(s.InsertAdjustment(a));
  LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "points.adjusted",
                                      JsonWriter()
                                          .Str("adjustment_id", a.adjustment_id)
                                          .Int("entry_id", entry_id)
                                          .Int("points", a.points)
                                          .Str("reason_code", a.reason_code)
                                          .Str("actor", ctx.actor.Label())
                                          .Finish(),
                                      ctx));
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return AdjustWrite{std::move(a), std::move(c), false};
}

Result<Points> ExpireDueLots(Session& s, const std::string& customer_id, const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  LOYALTY_ASSIGN_OR_RETURN(Points expired, ExpireDue(s, c, ctx));
  if (expired > 0) LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return expired;
}

}  // namespace loyalty
