// Building blocks shared by the ledger commands (ledger_*.cpp). Not a public interface.
// All functions run inside an open write transaction and keep the customer's cached balances
// (Customer::available_points / pending_points) equal to the sums of its lots; the caller saves
// the customer once at the end (SaveCustomer).
#pragma once

#include <string>
#include <vector>

#include "core/ledger.h"

namespace loyalty::internal {

using loyalty::CheckId;  // core/ledger.h

// kNotFound (field "customer_id") when the customer does not exist.
Result<Customer> LoadCustomer(Session& s, const std::string& customer_id);
Status SaveCustomer(Session& s, Customer& c, const Ctx& ctx);

// Appends the customer's next domain event (seq = ++c.event_seq).
Status AppendEvent(Session& s, Customer& c, const std::string& type, const std::string& payload,
                   const Ctx& ctx);

// Inserts the entry, applies its allocations to the given lots (already updated by the caller
// in memory) and returns the entry id. Checks the entry's deltas match its allocations.
Result<int64_t> WriteEntry(Session& s, Entry& e, const Ctx& ctx);

// Live available lots (not expired, expires after now, remaining > 0), soonest expiry first.
Result<std::vector<Lot>> LiveLots(Session& s, const std::string& customer_id, const Ctx& ctx);

// Expires every available lot of the customer due at ctx.now_us in one kExpire entry.
Result<Points> ExpireDue(Session& s, Customer& c, const Ctx& ctx);

// Takes `points` (> 0) from live lots, soonest expiry first, as one entry of `kind`.
// REQUIRES: the live lots hold at least `points`.
Result<int64_t> Debit(Session& s, Customer& c, Points points, Entry entry_template, const Ctx& ctx);

// Adds `points` (> 0) as available: first repays any deficit lot, then a new available lot
// expiring per the programme. `pending_lot`, if given, is drained by the same amount (activation).
Result<int64_t> Credit(Session& s, Customer& c, Points points, Entry entry_template,
                       Lot* pending_lot, const Ctx& ctx, Micros expires_at_us = 0);

// Deepens the customer's deficit lot (creating it if needed) by `points` (> 0) and returns the
// allocation to add to the entry that causes it.
Result<Allocation> AddDeficit(Session& s, Customer& c, Points points, const Ctx& ctx);

// Activates the pending lot of `order` (if any remains) and marks the order activated.
Status ActivateOrderEarn(Session& s, Customer& c, Order& order, const Ctx& ctx);

std::string OrderPayload(const Order& o);

// Tiers (ledger_tiers.cpp). CountSpend records the order's qualifying spend once, dated today,
// and upgrades at once if a threshold is crossed; RecountSpendAfterRefund adds the (negative)
// difference on the original date and never downgrades.
Status CountSpend(Session& s, Customer& c, Order& o, const Ctx& ctx);
Status RecountSpendAfterRefund(Session& s, Customer& c, Order& o, const Ctx& ctx);
Status UpgradeIfQualified(Session& s, Customer& c, const Ctx& ctx);
// What an order adds to the tier window by the programme's spend basis: net paid (the order's
// qualifying_won: amount - coupons - points - refunds) or net amount (amount - refunds). The
// quote uses it for qualifying_won; it is the rule of ledger_tiers.cpp's BasisOf.
inline Won QualifyingSpendOf(const Program& p, const Order& o) {
  return p.tiering.basis == SpendBasis::kNetAmount ? o.amount_won - o.refunded_won
                                                   : o.qualifying_won;
}

// Coupons (ledger_coupons.cpp).
struct CouponUse {
  Coupon coupon;
  const CouponTemplate* tmpl = nullptr;
  Won discount_won = 0;
};
struct CouponPlan {
  std::vector<CouponUse> uses;
  Won discount_won = 0;
  std::vector<std::string> codes;  // normalized, in request order
};
// Checks `codes` for the customer on an order of amount_won (minimum order is judged on it) and
// computes the discounts on base_won (the amount, or what points left of it), one coupon after
// the other on what the previous left. Reads only.
Result<CouponPlan> PlanCoupons(Session& s, const std::string& customer_id,
                               const std::vector<std::string>& codes, Won amount_won, Won base_won,
                               const Ctx& ctx);
// Redeems the planned coupons with the conditional update (kCouponAlreadyRedeemed when another
// order got there first) and appends coupon.redeemed per coupon.
Status RedeemCoupons(Session& s, Customer& c, const Order& o, const CouponPlan& plan,
                     const Ctx& ctx);
// Cancel / full refund: gives the order's coupons back per their template's policy.
Status RestoreOrderCoupons(Session& s, Customer& c, const Order& o, const Ctx& ctx);
// Issues one coupon to c (already locked; the caller saves c), or unassigned when c is null.
Result<CouponIssue> IssueCouponTo(Session& s, Customer* c, const IssueCouponRequest& r,
                                  const Ctx& ctx);

// Messages (messaging_*.cpp): the payload of the message.created / message.suppressed /
// message.cancelled events.
std::string MessageEventPayload(const Message& m);

}  // namespace loyalty::internal
