// The ledger's commands: what the REST API, the CLI and the jobs call. Each command runs inside
// one open write transaction of a Session (the executor provides it) and either applies all of
// its changes - entries, lots, balances, order rows and one domain event per change - or returns
// a non-ok Status after which the caller rolls the savepoint back.
//
// Reads (ReadCustomer, QuoteOrder) work on a read session and write nothing.
// Definitions of every entry kind and invariant: docs/ledger.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/coupons.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"
#include "core/tiers.h"
#include "core/types.h"

namespace loyalty {

// Ids (customers, orders, refunds, adjustments, ...): 1..kMaxIdLength characters of
// [A-Za-z0-9._:@-]; Invalid(field, why) otherwise.
Status CheckId(const std::string& field, const std::string& value);

struct Actor {
  std::string name = "system";
  std::string role = "system";
  std::string Label() const { return role + ":" + name; }
};

// What a batch job's commands did, counted where it happens (the daily job's summary: points
// activated, coupons issued, messages created by type). Optional: commands count only when a
// tally is given, and the caller undoes the counts of a command it rolls back.
struct JobTally {
  Points points_activated = 0;
  int64_t coupons_issued = 0;
  std::map<std::string, int64_t> messages;  // created, by type (suppressed ones included)
  int64_t messages_suppressed = 0;
};

// What every command needs besides its arguments: the rules, the time, who acts.
struct Ctx {
  const Program& program;
  Micros now_us;
  Actor actor;
  RandomSource* random = nullptr;  // coupon codes; required by commands that issue coupons
  JobTally* tally = nullptr;       // counts what the command did (batch jobs); may be null
  // Replaying a shop's past (`loyalty import`): the ledger, spend and tier rules apply at the
  // history's own times, but nothing is sent or given for it now: no messages, no coupons by
  // rule (welcome, tier promotion, triggers).
  bool history = false;
};

// ---- customers ----
struct CustomerInput {
  std::string customer_id;
  // Absent field = leave unchanged (on create: null / false).
  std::optional<std::optional<std::string>> birth_date;  // engaged null clears it
  std::optional<bool> marketing_consent;
  std::optional<bool> night_consent;
};
struct CustomerWrite {
  Customer customer;
  bool created = false;
};
Result<CustomerWrite> UpsertCustomer(Session& s, const CustomerInput& in, const Ctx& ctx);

// Where a customer stands against the tier table, in won, by the same spend definition (and
// the same records) the daily job uses.
struct TierProgress {
  std::string tier;
  LocalDate business_date;  // "today" in the programme's zone
  Window window;            // the window today evaluates
  Won spend_won = 0;        // qualifying spend in it
  int32_t orders = 0;
  // To the next tier (absent at the top).
  struct Next {
    std::string tier;
    Won threshold_won = 0;
    int32_t min_orders = 0;
    Won gap_won = 0;
    int32_t gap_orders = 0;
    // The gap stays as it is through this date; the next day older spend starts leaving the
    // window (0 for calendar-year and lifetime windows: nothing leaves before year end / ever).
    DateKey gap_valid_through = 0;
  };
  std::optional<Next> next;
  // To keep the current tier at the next evaluation (absent for the entry tier).
  struct Keep {
    LocalDate evaluation_date;
    Window window;        // the window that date will evaluate
    Won counted_won = 0;  // spend already in that window
    int32_t counted_orders = 0;
    Won needed_won = 0;  // more qualifying spend needed by the evaluation date
    int32_t needed_orders = 0;
    bool lifetime = false;                    // the tier is never downgraded
    std::optional<LocalDate> retained_until;  // retention protects it before this date
  };
  std::optional<Keep> keep;
};

struct CustomerView {
  Customer customer;               // balances as of ctx.now_us (lots past expiry excluded)
  std::vector<Lot> next_expiring;  // live available lots, soonest expiry first (at most 5)
  Points pending_points = 0;
  TierProgress progress;
};
Result<CustomerView> ReadCustomer(Session& s, const std::string& customer_id, const Ctx& ctx);

// ---- quote ----
struct QuoteRequest {
  std::string customer_id;  // may be unknown: quoted at the entry tier with no balance
  Won amount_won = 0;
  Points points_to_redeem = 0;
  std::vector<std::string> coupon_codes;  // as typed; normalized and checked by the quote
};
struct Quote {
  std::string tier;
  int32_t earn_rate_bp = 0;
  Points available_points = 0;
  Points max_redeemable_points = 0;  // what this order could use, all rules applied
  Points points_to_redeem = 0;
  Won paid_won = 0;                       // amount - points_to_redeem
  Points earn_points = 0;                 // what this order would earn with that redemption
  Status redeem_status;                   // ok, or why points_to_redeem is refused
  Won coupon_discount_won = 0;            // what the coupons take off (0 when refused)
  Status coupon_status;                   // ok, or the precise reason the coupons do not apply
  std::vector<std::string> coupon_codes;  // normalized
  // Nudges (docs/messages.md). The next programme order threshold above amount_won ("this cart
  // plus gap_won reaches threshold_won"); absent above the last one or without thresholds.
  struct Threshold {
    Won threshold_won = 0;
    std::string label;
    Won gap_won = 0;
  };
  std::optional<Threshold> next_threshold;
  // What this order would add to the tier window once it counts (same basis as the tier job:
  // net paid or net amount), and the tier the customer would then hold (upgrades only).
  Won qualifying_won = 0;
  std::string tier_on_confirmation;
  Won gap_to_next_tier_won = 0;  // after this order; 0 at the top tier
};
Result<Quote> QuoteOrder(Session& s, const QuoteRequest& q, const Ctx& ctx);

// ---- orders ----
struct OrderRequest {
  std::string order_id;
  std::string customer_id;
  Won amount_won = 0;
  Won shipping_won = 0;
  Points points_to_redeem = 0;
  std::vector<std::string> coupon_codes;  // redeemed atomically with the order
  std::string request_hash;  // identical hash on retry -> replayed, different -> conflict
};
struct OrderWrite {
  Order order;
  bool replayed = false;  // the order existed with the same request: nothing was written
};
Result<OrderWrite> CreateOrder(Session& s, const OrderRequest& r, const Ctx& ctx);

// 구매확정. Idempotent: confirming a confirmed order changes nothing.
Result<OrderWrite> ConfirmOrder(Session& s, const std::string& order_id, const Ctx& ctx);

struct RefundRequest {
  std::string order_id;
  std::string refund_id;
  Won amount_won = 0;   // merchandise amount; ignored when cancel
  bool cancel = false;  // refund of everything not refunded yet
  std::string request_hash;
};
struct RefundWrite {
  Refund refund;
  Order order;
  bool replayed = false;
};
Result<RefundWrite> RefundOrder(Session& s, const RefundRequest& r, const Ctx& ctx);

// Activates the pending points of an order whose pending period has passed (PendingMode::kDays
// or kConfirmationOrDays). Returns false when there was nothing to do. Used by the daily job.
Result<bool> ActivateIfMatured(Session& s, const std::string& order_id, const Ctx& ctx);

// ---- CS adjustments ----
struct AdjustRequest {
  std::string adjustment_id;
  std::string customer_id;
  Points points = 0;  // signed, non-zero
  std::string reason_code;
  std::string note;
  std::string request_hash;
  // A positive adjustment's lot expires then instead of by the programme's rule (opening
  // balances brought from another system keep their expiry); 0 = the rule. After now.
  Micros expires_at_us = 0;
};
struct AdjustWrite {
  Adjustment adjustment;
  Customer customer;
  bool replayed = false;
};
Result<AdjustWrite> AdjustPoints(Session& s, const AdjustRequest& r, const Ctx& ctx);

// ---- expiry ----
// Expires the customer's available lots with expires_at <= ctx.now_us. Returns points expired.
Result<Points> ExpireDueLots(Session& s, const std::string& customer_id, const Ctx& ctx);

// ---- tiers ----
// `loyalty import customers`: the customer holds `tier` from since_us on (<= now), recorded as a
// tier change with reason "imported" and its event. Kept until the rules say otherwise: the job
// decides from it like from any tier, retention counting from since_us. False when the customer
// already held exactly that.
Result<bool> ImportTier(Session& s, const std::string& customer_id, const std::string& tier,
                        Micros since_us, const Ctx& ctx);

// The daily job's tier step for one customer on business date d (locks the customer, sums its
// spend records, decides with DecideTier and applies a move). Returns the decision taken.
Result<TierDecision> EvaluateTier(Session& s, const std::string& customer_id, const LocalDate& d,
                                  const Ctx& ctx);
// with_keep = false leaves `keep` absent (and skips the sum of spend it needs): for callers
// that only look at `next` (the nudge step, when no tier_at_risk message can be due).
Result<TierProgress> ComputeProgress(Session& s, const Customer& c, const Ctx& ctx,
                                     bool with_keep = true);

// ---- coupons (docs/coupons.md) ----
struct IssueCouponRequest {
  std::string customer_id;  // empty = an unassigned code (bulk campaigns)
  std::string template_code;
  std::string reason;      // rule name ("tier_promotion", "birthday") or the CS reason
  std::string dedupe_key;  // non-empty: a second issuance with the same key issues nothing
  std::string batch_id;
};
struct CouponIssue {
  Coupon coupon;
  bool replayed = false;  // the dedupe key was used already: that coupon, nothing written
};
// Issues one coupon (event coupon.issued for an assigned one). REQUIRES ctx.random.
Result<CouponIssue> IssueCoupon(Session& s, const IssueCouponRequest& r, const Ctx& ctx);

// A customer's coupons; status filter as the API shows it (an active coupon past its validity
// is shown as expired even before the job marks it).
Result<std::vector<Coupon>> ListCustomerCoupons(Session& s, const std::string& customer_id,
                                                std::optional<CouponStatus> status,
                                                const std::string& after_code, int limit,
                                                const Ctx& ctx);
CouponStatus EffectiveStatus(const Coupon& c, Micros now_us);

// The daily job's coupon steps for one coupon (locks its customer): expire if due by
// ctx.now_us, else send coupon.expiring_soon once. Returns whether anything changed.
Result<bool> ExpireOrWarnCoupon(Session& s, const std::string& code, const Ctx& ctx);
// The birthday coupon of the customer's tier, once per year (dedupe "birthday:<id>:<year>"),
// when business date d is in the birth month. Returns whether one was issued.
Result<bool> IssueBirthdayCoupon(Session& s, const std::string& customer_id, const LocalDate& d,
                                 const Ctx& ctx);

// Bulk issuance of a batch: issues up to `max_items` more of what is left and records the
// progress; returns the number issued by this call (0 when the batch is done).
Result<int64_t> ProcessCouponBatch(Session& s, const std::string& batch_id, int64_t max_items,
                                   const Ctx& ctx);

// ---- invariants ----
struct CheckReport {
  int64_t customers = 0;
  int64_t lots = 0;
  int64_t entries = 0;
  std::vector<std::string> problems;  // empty = clean
};
// Checks one customer: balances = sum of lots = sum of entry deltas; every lot's remaining =
// sum of the allocations that touch it; no negative available unless the policy allows it.
Status CheckCustomer(Session& s, const Customer& c, const Program& p, CheckReport& report);
// Checks every customer (in pages). Read session.
Result<CheckReport> CheckLedger(Session& s, const Program& p);

}  // namespace loyalty
