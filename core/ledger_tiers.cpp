// Qualifying spend records and tier moves inside ledger commands: spend counts at confirmation
// (or placement), refunds reduce the spend of the order's original date, upgrades happen in the
// same transaction as the order event that crosses a threshold, downgrades only in the job.
#include <algorithm>

#include "core/json_writer.h"
#include "core/ledger_internal.h"

namespace loyalty {
using namespace internal;

namespace internal {

namespace {

Won BasisOf(const Program& p, const Order& o) {
  return p.tiering.basis == SpendBasis::kNetAmount ? o.amount_won - o.refunded_won
                                                   : o.qualifying_won;
}

// since_us: the instant the new tier counts from (tier_since, hence retention). An order event
// passes its own time; the job passes an instant inside the date it decides.
Status ApplyTierMove(Session& s, Customer& c, size_t to, const std::string& reason, const Window& w,
                     const SpendTotal& total, const LocalDate& d, const Ctx& ctx, Micros since_us) {
  const Program& p = ctx.program;
  size_t from = TierIndex(p, c.tier);
  TierChange change = MakeTierChange(p, c.customer_id, from, to, reason, w, total.spend_won,
                                     total.orders, d, ctx.now_us);
  LOYALTY_ASSIGN_OR_RETURN(change.change_id, s.InsertTierChange(change));
  c.tier = change.to_tier;
  c.tier_since_us = since_us;
  LOYALTY_RETURN_IF_ERROR(
      AppendEvent(s, c, change.kind == "upgrade" ? "tier.upgraded" : "tier.downgraded",
                  JsonWriter()
                      .Int("change_id", change.change_id)
                      .Str("from_tier", change.from_tier)
                      .Str("to_tier", change.to_tier)
                      .Str("reason", change.reason)
                      .Str("window_start", FormatLocalDate(FromDateKey(w.start)))
                      .Str("window_end", FormatLocalDate(FromDateKey(w.end)))
                      .Int("qualifying_won", change.qualifying_won)
                      .Int("threshold_won", change.threshold_won)
                      .Int("order_count", change.order_count)
                      .Str("policy", change.policy)
                      .Int("rule_version", change.rule_version)
                      .Finish(),
                  ctx));
  // The new tier's promotion coupon, in the same transaction; once per customer, tier and
  // month (a rerun, or a downgrade and upgrade within the month, issues nothing twice).
  const std::string& coupon = p.tiers[to].promotion_coupon;
  if (change.kind != "upgrade" || coupon.empty() || ctx.history) return Status::Ok();
  IssueCouponRequest r;
  r.customer_id = c.customer_id;
  r.template_code = coupon;
  r.reason = "tier_promotion";
  r.dedupe_key = "tier_promotion:" + c.customer_id + ":" + change.to_tier + ":" +
                 std::to_string(ToDateKey(d) / 100);
  LOYALTY_ASSIGN_OR_RETURN(CouponIssue issue, IssueCouponTo(s, &c, r, ctx));
  (void)issue;
  return Status::Ok();
}

}  // namespace

Status UpgradeIfQualified(Session& s, Customer& c, const Ctx& ctx) {
  LocalDate d = BusinessDate(ctx.now_us, ctx.program.time_zone);
  Window w = WindowFor(ctx.program.tiering, d);
  LOYALTY_ASSIGN_OR_RETURN(SpendTotal total, s.SumSpend(c.customer_id, w.start, w.end));
  size_t q = QualifiedTier(ctx.program, total.spend_won, total.orders);
  if (q <= TierIndex(ctx.program, c.tier)) return Status::Ok();
  return ApplyTierMove(s, c, q, "threshold_reached", w, total, d, ctx, ctx.now_us);
}

Status CountSpend(Session& s, Customer& c, Order& o, const Ctx& ctx) {
  if (o.spend_date != 0) return Status::Ok();
  Won amount = BasisOf(ctx.program, o);
  o.spend_date = ToDateKey(BusinessDate(ctx.now_us, ctx.program.time_zone));
  o.counted_spend_won = amount;
  SpendRecord r{c.customer_id, o.order_id, o.spend_date, amount, amount > 0 ? 1 : 0, ctx.now_us};
  LOYALTY_RETURN_IF_ERROR(s.InsertSpend(r));
  return UpgradeIfQualified(s, c, ctx);
}

Status RecountSpendAfterRefund(Session& s, Customer& c, Order& o, const Ctx& ctx) {
  if (o.spend_date == 0) return Status::Ok();  // not counted yet: it will count net of this
  Won amount = BasisOf(ctx.program, o);
  Won delta = amount - o.counted_spend_won;
  int32_t orders_delta = (o.counted_spend_won > 0 && amount <= 0) ? -1 : 0;
  if (delta == 0 && orders_delta == 0) return Status::Ok();
  SpendRecord r{c.customer_id, o.order_id, o.spend_date, delta, orders_delta, ctx.now_us};
  o.counted_spend_won = amount;
  return s.InsertSpend(r);  // never a downgrade on the spot: that is the job's decision
}

}  // namespace internal

Result<TierDecision> EvaluateTier(Session& s, const std::string& customer_id, const LocalDate& d,
                                  const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  Window w = WindowFor(ctx.program.tiering, d);
  LOYALTY_ASSIGN_OR_RETURN(SpendTotal total, s.SumSpend(customer_id, w.start, w.end));
  TierDecision decision =
      DecideTier(ctx.program, d, c.tier, c.tier_since_us, total.spend_won, total.orders);
  if (decision.kind == TierDecision::Kind::kKeep) return decision;
  // A change decided for D counts from the start of D (in the programme's zone), whatever the
  // wall time of the run: a job run after midnight would otherwise start the retention period a
  // day late, and the delay would add up evaluation after evaluation (docs/tiers.md).
  const Micros since_us = std::min(ctx.now_us, StartOfDay(d, ctx.program.time_zone));
  LOYALTY_RETURN_IF_ERROR(
      ApplyTierMove(s, c, decision.to, decision.reason, w, total, d, ctx, since_us));
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return decision;
}

Result<bool> ImportTier(Session& s, const std::string& customer_id, const std::string& tier,
                        Micros since_us, const Ctx& ctx) {
  const Program& p = ctx.program;
  if (p.FindTier(tier) == nullptr) {
    return Status::Invalid("tier", "'" + tier + "' is not a tier of the programme");
  }
  if (since_us <= 0 || since_us > ctx.now_us) {
    return Status::Invalid("tier_since", "must be an instant before now");
  }
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  if (c.tier == tier && c.tier_since_us == since_us) return false;
  const LocalDate d = BusinessDate(since_us, p.time_zone);
  if (c.tier == tier) {
    c.tier_since_us = since_us;  // the same tier, reached earlier than the engine knew
  } else {
    const Window w = WindowFor(p.tiering, d);
    LOYALTY_ASSIGN_OR_RETURN(SpendTotal total, s.SumSpend(customer_id, w.start, w.end));
    LOYALTY_RETURN_IF_ERROR(
        ApplyTierMove(s, c, TierIndex(p, tier), "imported", w, total, d, ctx, since_us));
  }
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return true;
}

Result<TierProgress> ComputeProgress(Session& s, const Customer& c, const Ctx& ctx,
                                     bool with_keep) {
  const Program& p = ctx.program;
  TierProgress out;
  out.tier = c.tier;
  out.business_date = BusinessDate(ctx.now_us, p.time_zone);
  out.window = WindowFor(p.tiering, out.business_date);
  LOYALTY_ASSIGN_OR_RETURN(SpendTotal now,
                           s.SumSpend(c.customer_id, out.window.start, out.window.end));
  out.spend_won = now.spend_won;
  out.orders = now.orders;
  const size_t current = TierIndex(p, c.tier);
  if (current + 1 < p.tiers.size()) {
    const TierRule& next = p.tiers[current + 1];
    TierProgress::Next n;
    n.tier = next.code;
    n.threshold_won = next.threshold_won;
    n.min_orders = next.min_orders;
    n.gap_won = std::max<Won>(0, next.threshold_won - now.spend_won);
    n.gap_orders = std::max<int32_t>(0, next.min_orders - now.orders);
    if (p.tiering.window == WindowKind::kRollingMonths && now.earliest != 0) {
      // The oldest spend leaves the window once the window starts after it: the answer is the
      // last date whose window still starts on or before it (about earliest + N months - 1 day;
      // stepped through WindowFor so month-end clamping, e.g. 29 February, agrees with the job).
      const LocalDate earliest = FromDateKey(now.earliest);
      LocalDate last = AddDays(AddMonths(earliest, p.tiering.window_months), -3);
      while (WindowFor(p.tiering, AddDays(last, 1)).start <= now.earliest) last = AddDays(last, 1);
      n.gap_valid_through = ToDateKey(last);
    }
    out.next = n;
  }
  if (with_keep && current > 0) {
    TierProgress::Keep k;
    k.evaluation_date = NextEvaluationDate(p.tiering, out.business_date);
    k.window = WindowFor(p.tiering, k.evaluation_date);
    k.lifetime = !p.tiers[current].downgradable;
    LOYALTY_ASSIGN_OR_RETURN(SpendTotal counted,
                             s.SumSpend(c.customer_id, k.window.start, out.window.end));
    k.counted_won = counted.spend_won;
    k.counted_orders = counted.orders;
    const LocalDate retained = RetainedUntil(p, c.tier_since_us);
    if (k.evaluation_date < retained) k.retained_until = retained;
    if (!k.lifetime && !k.retained_until) {
      k.needed_won = std::max<Won>(0, p.tiers[current].threshold_won - counted.spend_won);
      k.needed_orders = std::max<int32_t>(0, p.tiers[current].min_orders - counted.orders);
    }
    out.keep = k;
  }
  return out;
}

}  // namespace loyalty
