// Coupon commands: issuance (by rule, by hand, in bulk), checks and atomic redemption at
// checkout, restore on cancel, expiry. Arithmetic and codes: core/coupons.h; the rules:
// docs/coupons.md.
#include <algorithm>
#include <map>
#include <set>

#include "core/business_time.h"
#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/limits.h"
#include "core/messaging.h"

namespace loyalty {
using namespace internal;

namespace {

constexpr int kMaxCodeAttempts = 3;

std::string CouponPayload(const Coupon& c) {
  JsonWriter w;
  w.Str("code", c.code)
      .Str("template", c.template_code)
      .Str("status", CouponStatusName(c.status))
      .Str("valid_from", FormatInstant(c.valid_from_us))
      .Str("valid_until", FormatInstant(c.valid_until_us));
  if (!c.order_id.empty()) w.Str("order_id", c.order_id).Int("discount_won", c.discount_won);
  if (!c.reason.empty()) w.Str("reason", c.reason);
  if (!c.issued_by.empty()) w.Str("issued_by", c.issued_by);
  return w.Finish();
}

Status CheckTemplate(const Program& p, const std::string& code, const char* field) {
  if (p.FindCouponTemplate(code) == nullptr) {
    return Status::Invalid(field, "'" + code + "' is not a coupon template of the programme");
  }
  return Status::Ok();
}

}  // namespace

CouponStatus EffectiveStatus(const Coupon& c, Micros now_us) {
  if (c.status == CouponStatus::kActive && now_us >= c.valid_until_us) {
    return CouponStatus::kExpired;
  }
  return c.status;
}

namespace internal {

namespace {

// A coupon of template t issued now (code not drawn yet).
Coupon NewCoupon(const CouponTemplate& t, const std::string& customer_id,
                 const IssueCouponRequest& r, const Ctx& ctx) {
  Coupon coupon;
  coupon.template_code = t.code;
  coupon.customer_id = customer_id;
  coupon.issued_at_us = ctx.now_us;
  ValidityWindow w = CouponValidity(t, ctx.now_us, ctx.program.time_zone);
  coupon.valid_from_us = w.from_us;
  coupon.valid_until_us = w.until_us;
  coupon.dedupe_key = r.dedupe_key;
  coupon.batch_id = r.batch_id;
  coupon.reason = r.reason;
  coupon.issued_by = ctx.actor.Label();
  coupon.updated_at_us = ctx.now_us;
  return coupon;
}

// Draws codes until one is free (a collision of 59-bit codes: practically never twice).
Status InsertWithFreshCode(Session& s, Coupon& coupon, const CouponTemplate& t, const Ctx& ctx,
                           bool code_drawn) {
  for (int attempt = 1;; ++attempt) {
    if (!code_drawn || attempt > 1) {
      LOYALTY_ASSIGN_OR_RETURN(coupon.code, GenerateCouponCode(*ctx.random, t.code_prefix));
    }
    Status st = s.InsertCoupon(coupon);
    if (st.ok()) {
      if (ctx.tally != nullptr) ++ctx.tally->coupons_issued;
      return st;
    }
    if (st.code() != Code::kAlreadyExists || attempt == kMaxCodeAttempts) return st;
  }
}

}  // namespace

Result<CouponIssue> IssueCouponTo(Session& s, Customer* c, const IssueCouponRequest& r,
                                  const Ctx& ctx) {
  const CouponTemplate* t = ctx.program.FindCouponTemplate(r.template_code);
  if (t == nullptr) {
    return Status::Invalid("template", "'" + r.template_code + "' is not a coupon template");
  }
  if (!r.dedupe_key.empty()) {
    LOYALTY_ASSIGN_OR_RETURN(std::optional<Coupon> prior, s.FindCouponByDedupeKey(r.dedupe_key));
    if (prior) return CouponIssue{std::move(*prior), true};
  }
  if (ctx.random == nullptr) {
    return Status(Code::kInternal, "no random source to generate coupon codes");
  }
  Coupon coupon = NewCoupon(*t, c != nullptr ? c->customer_id : "", r, ctx);
  LOYALTY_RETURN_IF_ERROR(InsertWithFreshCode(s, coupon, *t, ctx, false));
  if (c != nullptr) {
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, *c, "coupon.issued", CouponPayload(coupon), ctx));
  }
  return CouponIssue{std::move(coupon), false};
}

Result<CouponPlan> PlanCoupons(Session& s, const std::string& customer_id,
                               const std::vector<std::string>& codes, Won amount_won, Won base_won,
                               const Ctx& ctx) {
  CouponPlan plan;
  if (codes.empty()) return plan;
  if (codes.size() > kMaxCouponsPerOrder) {
    return Status::Invalid("coupon_code", "at most 5 coupons per order");
  }
  std::set<std::string> seen;
  for (const std::string& typed : codes) {
    std::string code = NormalizeCouponCode(typed);
    LOYALTY_RETURN_IF_ERROR(ValidateCouponCode(code));  // before any lookup
    if (!seen.insert(code).second) {
      return Status::Invalid("coupon_code", "the coupon " + code + " is listed twice");
    }
    plan.codes.push_back(code);
  }
  Won left = base_won;
  std::map<std::string, int64_t> per_template;
  for (const std::string& code : plan.codes) {
    LOYALTY_ASSIGN_OR_RETURN(std::optional<Coupon> c, s.FindCoupon(code));
    if (!c) return Status(Code::kCouponNotFound, "no coupon " + code, "coupon_code");
    const CouponTemplate* t = ctx.program.FindCouponTemplate(c->template_code);
    if (t == nullptr) {
      return Status(Code::kCouponRevoked,
                    "the coupon's template " + c->template_code + " is no longer offered",
                    "coupon_code");
    }
    LOYALTY_RETURN_IF_ERROR(CheckCouponUsable(*c, *t, customer_id, amount_won, ctx.now_us));
    if (plan.codes.size() > 1 && !t->stackable) {
      return Status(Code::kCouponNotStackable,
                    "the coupon " + code + " cannot be combined with other coupons", "coupon_code");
    }
    if (t->per_customer_limit > 0) {
      int64_t& used = per_template[t->code];
      if (used == 0) {
        LOYALTY_ASSIGN_OR_RETURN(used, s.CountRedeemedCoupons(customer_id, t->code));
      }
      if (++used > t->per_customer_limit) {
        return Status(Code::kCouponLimitReached,
                      "the customer already used " + std::to_string(t->per_customer_limit) +
                          " coupon(s) of " + t->code,
                      "coupon_code");
      }
    }
    Won d = CouponDiscount(*t, left);
    left -= d;
    plan.discount_won += d;
    plan.uses.push_back(CouponUse{std::move(*c), t, d});
  }
  return plan;
}

Status RedeemCoupons(Session& s, Customer& c, const Order& o, const CouponPlan& plan,
                     const Ctx& ctx) {
  for (const CouponUse& u : plan.uses) {
    LOYALTY_ASSIGN_OR_RETURN(bool won, s.RedeemCoupon(u.coupon.code, c.customer_id, o.order_id,
                                                      u.discount_won, ctx.now_us));
    if (!won) {
      return Status(Code::kCouponAlreadyRedeemed,
                    "the coupon " + u.coupon.code + " was used by another order", "coupon_code");
    }
    Coupon after = u.coupon;
    after.status = CouponStatus::kRedeemed;
    after.customer_id = c.customer_id;
    after.order_id = o.order_id;
    after.discount_won = u.discount_won;
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "coupon.redeemed", CouponPayload(after), ctx));
  }
  return Status::Ok();
}

Status RestoreOrderCoupons(Session& s, Customer& c, const Order& o, const Ctx& ctx) {
  if (o.coupon_codes.empty()) return Status::Ok();
  CouponQuery q;
  q.order_id = o.order_id;
  q.status = CouponStatus::kRedeemed;
  q.limit = kMaxPageSize;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Coupon> coupons, s.ListCoupons(q));
  for (Coupon& coupon : coupons) {
    const CouponTemplate* t = ctx.program.FindCouponTemplate(coupon.template_code);
    const bool policy = t != nullptr && t->restore_on_cancel == CouponRestorePolicy::kIfValid;
    if (!policy || ctx.now_us >= coupon.valid_until_us) continue;  // stays used
    coupon.status = CouponStatus::kActive;
    coupon.order_id.clear();
    coupon.discount_won = 0;
    coupon.redeemed_at_us = 0;
    coupon.updated_at_us = ctx.now_us;
    LOYALTY_RETURN_IF_ERROR(s.UpdateCoupon(coupon));
    LOYALTY_RETURN_IF_ERROR(AppendEvent(
        s, c, "coupon.restored",
        JsonWriter().Str("code", coupon.code).Str("order_id", o.order_id).Finish(), ctx));
  }
  return Status::Ok();
}

}  // namespace internal

Result<CouponIssue> IssueCoupon(Session& s, const IssueCouponRequest& r, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckTemplate(ctx.program, r.template_code, "template"));
  if (r.reason.size() > kMaxReasonLength) return Status::Invalid("reason", "is too long");
  if (r.customer_id.empty()) return IssueCouponTo(s, nullptr, r, ctx);
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", r.customer_id));
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, r.customer_id));
  LOYALTY_ASSIGN_OR_RETURN(CouponIssue issue, IssueCouponTo(s, &c, r, ctx));
  if (!issue.replayed) LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return issue;
}

Result<std::vector<Coupon>> ListCustomerCoupons(Session& s, const std::string& customer_id,
                                                std::optional<CouponStatus> status,
                                                const std::string& after_code, int limit,
                                                const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", customer_id));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(customer_id));
  if (!c) return Status(Code::kNotFound, "customer " + customer_id + " not found", "customer_id");
  std::vector<Coupon> out;
  std::string cursor = after_code;
  // An active coupon past its end is shown as expired: filter on the effective status, reading
  // pages of stored rows until the page is full.
  while (static_cast<int>(out.size()) < limit) {
    CouponQuery q;
    q.customer_id = customer_id;
    // Stored expired coupons and active ones past their end both show as expired.
    if (status && *status != CouponStatus::kExpired) q.status = status;
    q.after_code = cursor;
    q.limit = limit;
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Coupon> page, s.ListCoupons(q));
    for (Coupon& coupon : page) {
      cursor = coupon.code;
      coupon.status = EffectiveStatus(coupon, ctx.now_us);
      if (status && coupon.status != *status) continue;
      out.push_back(std::move(coupon));
      if (static_cast<int>(out.size()) == limit) break;
    }
    if (static_cast<int>(page.size()) < limit) break;
  }
  return out;
}

Result<bool> ExpireOrWarnCoupon(Session& s, const std::string& code, const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Coupon> peek, s.FindCoupon(code));
  if (!peek || peek->status != CouponStatus::kActive) return false;
  std::optional<Customer> c;
  if (!peek->customer_id.empty()) {
    LOYALTY_ASSIGN_OR_RETURN(c, s.FindCustomer(peek->customer_id));  // lock, then re-read
  }
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Coupon> coupon, s.FindCoupon(code));
  if (!coupon || coupon->status != CouponStatus::kActive) return false;
  const Micros warn_from_us =
      coupon->valid_until_us - int64_t{ctx.program.coupons.expiring_soon_days} * kDayUs;
  std::string event;
  if (ctx.now_us >= coupon->valid_until_us) {
    coupon->status = CouponStatus::kExpired;
    event = "coupon.expired";
  } else if (ctx.now_us >= warn_from_us && !coupon->expiring_notified && c) {
    coupon->expiring_notified = true;
    event = "coupon.expiring_soon";
  } else {
    return false;
  }
  coupon->updated_at_us = ctx.now_us;
  LOYALTY_RETURN_IF_ERROR(s.UpdateCoupon(*coupon));
  if (c) {
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, *c, event, CouponPayload(*coupon), ctx));
    LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, *c, ctx));
  }
  return true;
}

Result<bool> IssueBirthdayCoupon(Session& s, const std::string& customer_id, const LocalDate& d,
                                 const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  if (!c.birth_date) return false;
  LOYALTY_ASSIGN_OR_RETURN(LocalDate born, ParseLocalDate(*c.birth_date));
  if (born.month != d.month) return false;
  const TierRule* tier = ctx.program.FindTier(c.tier);
  if (tier == nullptr || tier->birthday_coupon.empty()) return false;
  IssueCouponRequest r;
  r.customer_id = customer_id;
  r.template_code = tier->birthday_coupon;
  r.reason = "birthday";
  r.dedupe_key = "birthday:" + customer_id + ":" + std::to_string(d.year);
  LOYALTY_ASSIGN_OR_RETURN(CouponIssue issue, IssueCouponTo(s, &c, r, ctx));
  if (issue.replayed) return false;
  LOYALTY_RETURN_IF_ERROR(OnBirthdayCoupon(s, c, issue.coupon, d, ctx));  // the message with it
  LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return true;
}

Result<int64_t> ProcessCouponBatch(Session& s, const std::string& batch_id, int64_t max_items,
                                   const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<CouponBatch> found, s.FindCouponBatch(batch_id));
  if (!found) return Status(Code::kNotFound, "no coupon batch " + batch_id, "batch_id");
  CouponBatch b = std::move(*found);
  if (b.status == "done") return int64_t{0};
  const int64_t end = std::min(b.requested, b.issued + max_items);
  int64_t issued = 0;
  IssueCouponRequest r;
  r.template_code = b.template_code;
  r.reason = b.reason;
  r.batch_id = b.batch_id;
  // No dedupe keys: the batch's progress is written in the same transaction as its chunk, so
  // a chunk is either committed with the new progress or not at all (a rerun starts after).
  if (!b.customer_ids.empty()) {
    for (int64_t i = b.issued; i < end; ++i) {
      r.customer_id = b.customer_ids[static_cast<size_t>(i)];
      LOYALTY_ASSIGN_OR_RETURN(CouponIssue issue, IssueCoupon(s, r, ctx));
      (void)issue;
      ++issued;
    }
  } else {
    const CouponTemplate* t = ctx.program.FindCouponTemplate(b.template_code);
    if (t == nullptr) return Status::Invalid("template", "'" + b.template_code + "' is gone");
    if (ctx.random == nullptr) return Status(Code::kInternal, "no random source for codes");
    // Unassigned codes are drawn first and inserted in code order: every index of the table
    // leads with the code (after a constant), so the chunk sweeps each b-tree once instead of
    // touching a random page per row.
    Coupon coupon = NewCoupon(*t, "", r, ctx);
    std::vector<std::string> codes(static_cast<size_t>(end - b.issued));
    BufferedRandom random(*ctx.random);
    for (std::string& code : codes) {
      LOYALTY_ASSIGN_OR_RETURN(code, GenerateCouponCode(random, t->code_prefix));
    }
    std::sort(codes.begin(), codes.end());
    for (std::string& code : codes) {
      coupon.code = std::move(code);
      LOYALTY_RETURN_IF_ERROR(InsertWithFreshCode(s, coupon, *t, ctx, true));
      ++issued;
    }
  }
  b.issued = end;
  b.status = b.issued == b.requested ? "done" : "running";
  if (b.status == "done") b.finished_at_us = ctx.now_us;
  LOYALTY_RETURN_IF_ERROR(s.UpdateCouponBatch(b));
  return issued;
}

}  // namespace loyalty
