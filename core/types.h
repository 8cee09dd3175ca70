#include "core/limits.h"
// Domain records of the ledger. Plain data; rules live in ledger.h / orders.h.
//
// Units are in the names: *_won is Korean won (integer, KRW has no minor unit), *_points are
// integer points (1 point is worth 1 won when redeemed), *_us are instants as microseconds since
// the Unix epoch in UTC. The server assigns every instant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loyalty {

using Won = int64_t;
using Points = int64_t;
using Micros = int64_t;  // UTC microseconds since 1970-01-01T00:00:00Z

// Limits on everything a client controls (TigerBeetle: put a limit on everything) are all in
// core/limits.h.

// Persisted enums: the numbers are stored in the database. Never renumber; only append.
enum class LotKind : int {
  kPending = 1,    // points earned by an order, not yet usable
  kAvailable = 2,  // usable points with an expiry
  kDeficit = 3,    // negative balance left by a clawback under the allow_negative policy
};

enum class EntryKind : int {
  kEarn = 1,      // order earns points into a pending lot
  kActivate = 2,  // pending lot -> available lot (expiry counted from activation)
  kRedeem = 3,    // points spent on an order, drawn from available lots
  kExpire = 4,    // lot reached its expiry
  kAdjust = 5,    // manual signed change by CS, with a reason
  kReverse = 6,   // refund claws back earned points
  kRestore = 7,   // refund gives redeemed points back to the lots they came from
};

enum class OrderStatus : int {
  kPlaced = 1,     // created; earned points pending
  kConfirmed = 2,  // 구매확정: earned points activated
  kCancelled = 3,  // fully refunded (cancel = refund of the rest)
};

enum class CouponStatus : int {
  kActive = 1,    // may be redeemed within its validity
  kRedeemed = 2,  // used by an order (order_id)
  kExpired = 3,   // validity over (set by the daily job; reads also treat it so)
  kRevoked = 4,   // withdrawn by customer service
};

// Messages of the outbox (docs/messages.md).
enum class MessageCategory : int {
  kInformational = 1,  // 정보성: sent regardless of marketing consent, day or night
  kAdvertising = 2,    // 광고성: needs marketing consent; 21:00-08:00 KST needs night consent
};

enum class MessageStatus : int {
  kPending = 1,     // waiting for delivery (not before not_before_us; may be leased)
  kDelivered = 2,   // acknowledged by the pull API or accepted (2xx) by the webhook
  kDeadLetter = 3,  // the webhook refused it max_attempts times; replayable
  kSuppressed = 4,  // never delivered: no consent, opted out, over the frequency cap (reason)
  kCancelled = 5,   // withdrawn before delivery (a cart reminder after an order)
};

const char* CouponStatusName(CouponStatus status);
const char* MessageCategoryName(MessageCategory c);
const char* MessageStatusName(MessageStatus s);
const char* LotKindName(LotKind kind);
const char* EntryKindName(EntryKind kind);
const char* OrderStatusName(OrderStatus status);

struct Customer {
  std::string customer_id;
  std::optional<std::string> birth_date;  // YYYY-MM-DD
  bool marketing_consent = false;         // advertising allowed
  bool night_consent = false;             // advertising 21:00-08:00 KST allowed
  // When marketing consent was last given or confirmed (0 = never / not consenting): the
  // consent_reconfirm notice is due two years after it. Channel of that consent ("web", "app",
  // "sms", "email", "phone", "cs", "api", ...).
  Micros consent_confirmed_at_us = 0;
  std::string consent_channel;
  std::string tier;             // current tier code
  Micros tier_since_us = 0;     // when the current tier was reached (retention)
  Points available_points = 0;  // = sum of remaining over available + deficit lots
  Points pending_points = 0;    // = sum of remaining over pending lots
  int64_t event_seq = 0;        // last per-customer event sequence number used
  // Written by the daily job's spend step (set-based); informational between runs.
  Won window_spend_won = 0;
  int32_t window_orders = 0;
  int32_t spend_as_of = 0;  // DateKey the two fields above were computed for
  Micros created_at_us = 0;
  Micros updated_at_us = 0;
};

struct Lot {
  int64_t lot_id = 0;  // assigned by the store
  std::string customer_id;
  LotKind kind = LotKind::kAvailable;
  std::string order_id;         // order that earned it; empty for adjustments
  int64_t source_entry_id = 0;  // entry that created the lot
  Points initial_points = 0;
  Points remaining_points = 0;  // never negative except for kDeficit (never positive there)
  Micros created_at_us = 0;
  Micros expires_at_us = 0;  // exclusive; 0 = never (pending and deficit lots)
  bool expired = false;      // an expire entry has zeroed it
};

// One line of an entry: how many points it moved in or out of one lot (signed).
struct Allocation {
  int64_t lot_id = 0;
  Points points = 0;
};

struct Entry {
  int64_t entry_id = 0;  // assigned by the store; increases with time
  std::string customer_id;
  EntryKind kind = EntryKind::kEarn;
  Points pending_delta = 0;    // change of the customer's pending balance
  Points available_delta = 0;  // change of the customer's available balance
  std::string order_id;        // order concerned, if any
  std::string ref_id;          // refund_id or adjustment_id, if any
  std::string reason;          // reason code (adjustments), shortfall notes
  std::string actor;           // "role:key_name" of the API key, or "system"
  Micros created_at_us = 0;
  std::vector<Allocation> allocations;  // sum over lots equals the two deltas
};

// What the entries of one kind moved within a range of time (LedgerRecords::SumEntriesByKind,
// the liability report in core/liability.h): the positive and the negative parts of each delta
// summed apart, since one kind (adjust) moves balances both ways.
struct EntryKindSum {
  EntryKind kind = EntryKind::kEarn;  // as stored: a number this binary does not name is kept
  int64_t entries = 0;                // entries of the kind in the range
  Points pending_in_points = 0;       // sum of the positive pending_delta (>= 0)
  Points pending_out_points = 0;      // sum of the negative pending_delta (<= 0)
  Points available_in_points = 0;     // sum of the positive available_delta (>= 0)
  Points available_out_points = 0;    // sum of the negative available_delta (<= 0)
};

struct Order {
  std::string order_id;  // the shop's id; unique
  std::string customer_id;
  Won amount_won = 0;    // merchandise total (the earn and refund base)
  Won shipping_won = 0;  // never earns, never qualifies
  Points points_redeemed = 0;
  Won paid_won = 0;          // amount_won - coupon_discount_won - points_redeemed (cash)
  int32_t earn_rate_bp = 0;  // snapshot of the rate used
  int64_t rule_version = 0;  // snapshot of the programme version
  std::string tier_at_order;
  Points earn_points = 0;  // points earned (pending until confirmation)
  // Refunds so far, the sums of their Refund figures. The cumulative targets of the next refund
  // are computed from clawback_requested_points and restored + restored_expired (docs/ledger.md).
  Points clawback_requested_points = 0;  // earned points the refunds asked back
  Points earn_clawed_points = 0;         // of those, actually removed from the balance
  Points shortfall_points = 0;           // of those, never recovered (nor deducted in cash)
  Points restored_points = 0;            // redeemed points given back, usable
  Points restored_expired_points = 0;    // redeemed points given back into lots already expired
  Won refunded_won = 0;                  // merchandise amount refunded so far
  Won qualifying_won = 0;                // paid_won net of refunds: counts towards tiers
  OrderStatus status = OrderStatus::kPlaced;
  bool earn_activated = false;  // pending lot activated (at confirmation or by the job)
  Micros placed_at_us = 0;
  Micros confirmed_at_us = 0;
  Micros cancelled_at_us = 0;
  std::string request_hash;     // hash of the creating request, for idempotent replay
  int32_t spend_date = 0;       // DateKey its qualifying spend counts on; 0 = not counted yet
  Won counted_spend_won = 0;    // what the spend records hold for this order now
  Won coupon_discount_won = 0;  // snapshot of the coupons' discount (docs/coupons.md)
  std::vector<std::string> coupon_codes;  // coupons redeemed by the order (normalized)
};

struct Refund {
  std::string order_id;
  std::string refund_id;
  Won amount_won = 0;  // merchandise amount refunded
  // Always clawback_requested = clawed + deduction_won + shortfall (a point is worth ₩1).
  Points clawback_requested_points = 0;  // this refund's share of the points the order earned
  Points clawed_points = 0;              // actually removed (a deficit under allow_negative)
  Points shortfall_points = 0;           // neither removed nor deducted: lost to the programme
  Won deduction_won = 0;                 // shortfall deducted from the cash refund (policy)
  // Always restored + restored_expired = this refund's share of the points the order redeemed.
  Points restored_points = 0;          // given back and usable
  Points restored_expired_points = 0;  // given back into lots past their expiry: expired at once
  Won cash_refund_won = 0;             // what the shop pays back in cash
  bool cancel = false;                 // refund of the rest of the order
  std::string request_hash;
  Micros created_at_us = 0;
};

struct Adjustment {
  std::string adjustment_id;
  std::string customer_id;
  Points points = 0;  // signed
  std::string reason_code;
  std::string note;
  std::string actor_name;
  std::string actor_role;
  int64_t entry_id = 0;
  std::string request_hash;
  Micros created_at_us = 0;
};

// One coupon: a code with a template's rules, owned by a customer or (bulk campaigns) by whoever
// redeems it first. Validity is [valid_from_us, valid_until_us).
struct Coupon {
  std::string code;  // unique; carries a check character (core/coupons.h)
  std::string template_code;
  std::string customer_id;  // empty = unassigned (bulk code); set when redeemed
  CouponStatus status = CouponStatus::kActive;
  Micros issued_at_us = 0;
  Micros valid_from_us = 0;
  Micros valid_until_us = 0;  // exclusive
  std::string order_id;       // the order that redeemed it
  Won discount_won = 0;       // discount given by that order (snapshot)
  Micros redeemed_at_us = 0;
  std::string dedupe_key;          // rule-based issuance: "<trigger>:<customer>:<period>"; unique
  std::string batch_id;            // bulk issuance
  std::string reason;              // why it was issued (rule name or the CS reason)
  std::string issued_by;           // actor label "role:name" or "system"
  bool expiring_notified = false;  // coupon.expiring_soon was sent
  Micros updated_at_us = 0;
};

// A bulk issuance: to a list of customers or a count of unassigned codes.
struct CouponBatch {
  std::string batch_id;
  std::string template_code;
  std::vector<std::string> customer_ids;  // empty = `requested` unassigned codes
  int64_t requested = 0;
  int64_t issued = 0;  // progress
  std::string status;  // "pending", "running", "done"
  std::string reason;
  std::string issued_by;
  std::string request_hash;
  Micros created_at_us = 0;
  Micros finished_at_us = 0;
};

// A domain event: every state change of a customer appends one, in the same transaction.
struct Event {
  int64_t event_id = 0;  // global, assigned by the store; the feed cursor
  std::string customer_id;
  int64_t seq = 0;   // per customer, 1, 2, 3, ... without gaps
  std::string type;  // e.g. "order.created"
  std::string payload_json;
  Micros created_at_us = 0;
};

// One row of the transactional outbox: written in the same transaction as its cause, delivered
// to the shop's messaging layer by the pull API or the webhook worker.
struct Message {
  int64_t message_id = 0;  // assigned by the store; increases with time; the feed cursor
  std::string customer_id;
  std::string type;  // trigger: "tier_near", "points_expiring", "welcome", ...
  MessageCategory category = MessageCategory::kInformational;
  std::string template_code;   // programme template it was rendered from
  std::string variables_json;  // {"slot":"value",...} every value a string
  std::string text;            // rendered AlimTalk-style text (snapshot at creation)
  std::string sms_text;        // rendered SMS fallback text ("" = none)
  std::string dedupe_key;      // unique: "<type>:<customer>:<cause/period>"
  MessageStatus status = MessageStatus::kPending;
  std::string status_reason;  // suppressed: "no_marketing_consent", "frequency_cap", ...
  Micros created_at_us = 0;
  Micros not_before_us = 0;   // not delivered before (night-time deferral, cart delay, backoff)
  int32_t attempts = 0;       // webhook deliveries tried
  std::string last_error;     // last webhook failure
  Micros lease_until_us = 0;  // > now: handed out (pull or worker), awaiting ack/outcome
  std::string lease_owner;    // who holds the lease (pull API key name or "webhook")
  Micros delivered_at_us = 0;
  Micros updated_at_us = 0;
};

// What the lifecycle triggers read about a customer (one page at a time): no order rows.
struct CustomerActivity {
  std::string customer_id;
  std::string tier;
  Micros created_at_us = 0;
  int32_t orders = 0;           // orders not cancelled
  Micros last_order_at_us = 0;  // placed_at of the newest order not cancelled (0 = none)
  std::string last_order_id;
  Micros first_confirmed_at_us = 0;  // confirmed_at of the first confirmed order (0 = none)
  std::string first_confirmed_order_id;
};

// A calendar date as an integer yyyymmdd (20261125): sortable, compact, engine-neutral.
using DateKey = int32_t;

// One movement of qualifying spend, dated to the business day the order's spend counts on.
// A refund adds a negative record with the same date (it reduces that day's spend).
struct SpendRecord {
  std::string customer_id;
  std::string order_id;
  DateKey date = 0;
  Won amount_won = 0;        // signed
  int32_t orders_delta = 0;  // +1 when an order starts counting, -1 when it is fully refunded
  Micros created_at_us = 0;
};

struct SpendTotal {
  Won spend_won = 0;
  int32_t orders = 0;
  DateKey earliest = 0;  // oldest date with a record in the range; 0 if none
};

// Why a customer's tier changed: everything needed to explain it later.
struct TierChange {
  int64_t change_id = 0;  // assigned by the store
  std::string customer_id;
  std::string from_tier;
  std::string to_tier;
  std::string kind;    // "upgrade" | "downgrade"
  std::string reason;  // e.g. "threshold_reached", "below_threshold", "missed_upgrade"
  DateKey window_start = 0;
  DateKey window_end = 0;
  Won qualifying_won = 0;
  Won threshold_won = 0;  // threshold of the tier moved to
  int32_t order_count = 0;
  std::string policy;  // downgrade policy applied, or "immediate" for upgrades
  int64_t rule_version = 0;
  DateKey business_date = 0;
  Micros created_at_us = 0;
};

// One change of a customer's consent (정보통신망법 §50: the record of when and how consent was
// given, withdrawn or confirmed). The values are those after the change.
struct ConsentChange {
  int64_t change_id = 0;  // assigned by the store
  std::string customer_id;
  bool marketing_consent = false;
  bool night_consent = false;
  std::string channel;  // e.g. "web", "sms_080", "api"
  std::string actor;    // "role:key_name" of the API key, or "system"
  Micros created_at_us = 0;
};

// What the tier step reads per customer (one streaming page at a time).
struct TierStanding {
  std::string customer_id;
  std::string tier;
  Micros tier_since_us = 0;
  Won window_spend_won = 0;
  int32_t window_orders = 0;
  Points available_points = 0;
  Points pending_points = 0;
};

// Progress of one step of the daily job for one business date and shard.
struct JobRun {
  DateKey business_date = 0;
  std::string step;
  int32_t shard = 0;
  int32_t shards = 1;
  std::string status;  // "running" | "done"
  std::string cursor;  // last key processed (resume point)
  std::string summary_json;
  Micros started_at_us = 0;
  Micros finished_at_us = 0;
};

// The daily job's step recording a whole run of a date and shard: "done" when every step
// finished, "skipped" when an operator skipped the date (jobs daily --skip-missed).
inline constexpr const char* kJobRunStep = "run";

// Who runs the daily job for a business date and shard (docs/operations.md).
struct JobLease {
  DateKey business_date = 0;
  int32_t shard = 0;
  int32_t shards = 1;
  std::string holder;  // host:pid:random
  Micros acquired_at_us = 0;
  Micros expires_at_us = 0;
};

}  // namespace loyalty
