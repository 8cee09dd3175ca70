// Nudges and messages (docs/messages.md): the engine decides what to tell whom and when, and
// hands it to the shop's messaging layer through a transactional outbox.
//
// - A message is written in the same transaction as its cause (an order, a sign-up, a day of the
//   daily job), rendered from a programme template, with a dedupe key so that the same cause and
//   period never produce it twice (InsertMessage's unique key; a rerun finds the first one).
// - Rules, applied when the message is written AND again when it is handed out: advertising needs
//   marketing consent; between 21:00 and 08:00 Asia/Seoul it needs night consent as well, else it
//   waits until 08:00; frequency caps per type and per customer per KST day. A message that may
//   not go out is kept as suppressed with the reason (evidence), never delivered.
// - Delivery: ClaimMessages leases deliverable messages (pull API or webhook worker), AckMessages
//   marks them delivered, RecordDeliveryFailure backs off and dead-letters after max attempts,
//   ReplayMessages requeues delivered / dead-letter messages after a cursor. One customer's
//   messages go out in creation order (the oldest pending one blocks the customer's others).
//
// Pure functions first (no Session), then commands that run inside a write transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/business_time.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"
#include "core/types.h"

namespace loyalty {

// ---- trigger types ----
inline constexpr const char kMsgTierNear[] = "tier_near";       // gap to next tier small
inline constexpr const char kMsgTierAtRisk[] = "tier_at_risk";  // may lose tier at evaluation
inline constexpr const char kMsgPointsExpiring[] = "points_expiring";  // staged expiry notices
inline constexpr const char kMsgWelcome[] = "welcome";                 // on sign-up
inline constexpr const char kMsgFirstPurchaseReminder[] = "first_purchase_reminder";
inline constexpr const char kMsgReviewRequest[] = "review_request";  // N days after 1st confirm
inline constexpr const char kMsgRepurchaseReminder[] = "repurchase_reminder";
inline constexpr const char kMsgWinback[] = "winback";             // dormant N days
inline constexpr const char kMsgBirthday[] = "birthday";           // with the birthday coupon
inline constexpr const char kMsgCartReminder[] = "cart_reminder";  // cart, no order in N min
// Consent notices the law asks for (정보통신망법 §50): informational, sent whatever the consent.
// Two years after the last confirmation of marketing consent: what was consented to, when, how
// to withdraw. Slots: consented_on (YYYY-MM-DD, KST), consent_items.
inline constexpr const char kMsgConsentReconfirm[] = "consent_reconfirm";
// The result of a consent change (grant or withdrawal). Slots: consent_result ("수신 동의" or
// "수신 거부"), changed_on (YYYY-MM-DD, KST), consent_items.
inline constexpr const char kMsgConsentChanged[] = "consent_changed";

// Every trigger type, in documentation order.
const std::vector<std::string>& MessageTypes();
bool IsMessageType(const std::string& type);

// The slots a template of `type` may use: the common ones (customer_id, tier, tier_name, and
// sender and opt_out from the programme) plus the type's own; coupon_code / coupon_name /
// coupon_valid_until only when the trigger issues a coupon (with_coupon). Unknown type: empty.
std::vector<std::string> SlotsFor(const std::string& type, bool with_coupon);
// The longest value a slot can take, in characters (for the load-time length check).
size_t MaxSlotChars(const std::string& slot);

// The #{slot} names of a template text in order of appearance (duplicates kept). kInvalid for
// a malformed slot ("#{" without "}", an empty or non [a-z0-9_] name).
Result<std::vector<std::string>> TemplateSlots(const std::string& text);
// Replaces every #{slot} by its value. REQUIRES: every slot has a value (checked at load time).
std::string RenderTemplate(const std::string& text,
                           const std::map<std::string, std::string>& variables);
size_t Utf8Chars(const std::string& s);  // code points
// The #{sender} slot: "<sender_name> <sender_contact>" (either alone when the other is unset).
std::string SenderText(const MessagingSettings& m);

// "12,345" (thousands separators; negative numbers keep their sign).
std::string FormatWon(Won won);

// Checks programme.messaging: templates (code, known type, slots, length with every slot at its
// longest, SMS text), triggers (known type, template of the same type, required parameters,
// coupon template exists), order thresholds ascending and positive, caps non-negative. And the
// rules for advertising (정보통신망법 §50, docs/messages.md): with any advertising template the
// sender (name, contact) and the opt-out text are required; an advertising text (and SMS text)
// begins with "(광고)" and shows the sender (#{sender} or the literal name and contact) and the
// free opt-out (#{opt_out} or the literal text); a template carrying a coupon (a coupon slot, or
// a trigger issuing one with it) is advertising unless it gives a coupon_exemption; the consent
// notices (consent_reconfirm, consent_changed) are informational.
// Returns the first problem with its JSON path ("messaging.templates[1].text"). Called by
// ValidateProgram.
Status ValidateMessaging(const Program& p);

// ---- the consent and night-time rule ----
// Night: 21:00 <= local time < 08:00 in `time_zone`.
bool IsNightTime(Micros t_us, const std::string& time_zone);
// The next 08:00 local time at or after t_us.
Micros NextMorning(Micros t_us, const std::string& time_zone);

struct DeliveryDecision {
  bool suppress = false;
  std::string reason;        // when suppressed: "no_marketing_consent"
  Micros not_before_us = 0;  // otherwise: the earliest it may go out
};
// Informational: at earliest_us. Advertising: suppressed without marketing consent; at night
// without night consent deferred to NextMorning(earliest_us); else at earliest_us.
DeliveryDecision DecideDelivery(MessageCategory category, const Customer& c, Micros earliest_us,
                                const std::string& time_zone);

// tier_near: is a gap of gap_won to a threshold of threshold_won within the trigger's
// distance (within_won, or within_bp of the threshold)? False for no gap.
bool WithinNudgeDistance(const TriggerSettings& near, Won gap_won, Won threshold_won);

// ---- writing messages ----
struct MessageRequest {
  std::string type;
  std::map<std::string, std::string> variables;  // the type's own slots (common ones are added)
  std::string dedupe_key;                        // required
  Micros earliest_us = 0;                        // 0 = ctx.now_us (cart reminders: later)
  // The caller looked dedupe_key up in this transaction and found no message: EnqueueMessage
  // skips its own look-up (a concurrent writer still meets the UNIQUE key and is replayed).
  bool dedupe_checked = false;
};
struct MessageWrite {
  Message message;
  bool replayed = false;  // the dedupe key was used already: that message, nothing written
};
// Renders the trigger's template, applies consent / night / caps, inserts the message and
// appends a "message.created" (or "message.suppressed") event to the customer's history.
// `c` is locked by the caller, who saves it afterwards (its event_seq moves). Returns nullopt
// when the trigger is absent or disabled. A coupon, when the trigger names one, must be issued
// by the caller first and its slots passed in `variables`.
Result<std::optional<MessageWrite>> EnqueueMessage(Session& s, Customer& c, const MessageRequest& r,
                                                   const Ctx& ctx);

// Hooks the ledger calls (inside its own commands; c locked and saved by the caller):
// welcome on sign-up (issues the welcome coupon if the trigger names one).
Status OnCustomerCreated(Session& s, Customer& c, const Ctx& ctx);
// An order arrived: every pending cart reminder of the customer is cancelled.
Status OnOrderPlaced(Session& s, Customer& c, const Order& o, const Ctx& ctx);
// The birthday coupon was issued: the birthday message carrying it.
Status OnBirthdayCoupon(Session& s, Customer& c, const Coupon& coupon, const LocalDate& d,
                        const Ctx& ctx);

// The shop posts a cart (abandonment tracking): a cart_reminder scheduled minutes later,
// cancelled if an order arrives first. Idempotent per (customer, cart_id).
struct CartEvent {
  std::string customer_id;
  std::string cart_id;
  Won amount_won = 0;
  int32_t items = 0;
};
Result<std::optional<MessageWrite>> RecordCart(Session& s, const CartEvent& e, const Ctx& ctx);

// ---- the daily job's steps, per customer, for business date d (lock the customer) ----
// tier_near (gap within the configured distance; dedupe per next tier and month) and
// tier_at_risk (tier_at_risk_days before the evaluation date when more spend is needed; dedupe
// per evaluation date). Returns whether a message was written.
Result<bool> NudgeTier(Session& s, const std::string& customer_id, const LocalDate& d,
                       const Ctx& ctx);
// Staged expiry notices: lots grouped by expiry date; for each date the smallest stage >= days
// left; once per (customer, expiry date, stage); each also a "points.expiry_notice" event.
Result<bool> NotifyExpiringPoints(Session& s, const std::string& customer_id, const LocalDate& d,
                                  const Ctx& ctx);

struct LifecycleDue {
  std::string type;
  std::string dedupe_key;
  std::map<std::string, std::string> variables;
};
// Pure: the lifecycle triggers due for this customer on d (first purchase reminder, review
// request, repurchase reminder, win-back), each within catch_up_days of its due date.
std::vector<LifecycleDue> DueLifecycle(const Program& p, const CustomerActivity& a,
                                       const LocalDate& d);
// Writes the due ones (issuing their coupons), decided again from the customer's activity
// re-read under its lock (`a` is the page's possibly older copy). Returns how many were written.
Result<int64_t> RunLifecycle(Session& s, const CustomerActivity& a, const LocalDate& d,
                             const Ctx& ctx);

// ---- delivery ----
struct ClaimOptions {
  int limit = 100;
  Micros lease_us = 60'000'000;  // not handed out again before this long
  std::string owner;             // pull API key name, or "webhook"
};
// Leases up to limit deliverable messages, oldest first. Re-checks the rules at hand-out time:
// an advertising message whose customer withdrew consent is suppressed; one that would go out
// at night without night consent is deferred to 08:00. Returns the leased messages.
Result<std::vector<Message>> ClaimMessages(Session& s, const ClaimOptions& o, const Ctx& ctx);

struct AckResult {
  int64_t message_id = 0;
  // ok (delivered now or already), kNotFound, kMessageNotLeased, kLeaseExpired, kInvalidState
  // (suppressed, cancelled, dead letter).
  Status status;
};
// Marks each message delivered that is leased by ctx.actor.name (the pull API key's name, or
// "webhook") with a lease still running at ctx.now_us. A pending message without such a lease is
// refused (kMessageNotLeased; kLeaseExpired when the caller's own lease ran out), so only what was
// handed out can be acknowledged. Acknowledging a delivered message again is ok (idempotent).
Result<std::vector<AckResult>> AckMessages(Session& s, const std::vector<int64_t>& ids,
                                           const Ctx& ctx);

struct RetryPolicy {
  int max_attempts = 8;
  Micros base_backoff_us = 30'000'000;    // 30 s, doubled per attempt
  Micros max_backoff_us = 3'600'000'000;  // at most an hour
};
// The webhook refused or failed: attempts + 1, lease released, not_before = now + backoff; at
// max_attempts the message goes to the dead-letter state. Returns the updated message.
Result<Message> RecordDeliveryFailure(Session& s, int64_t message_id, const std::string& error,
                                      const RetryPolicy& policy, const Ctx& ctx);
// Requeues delivered and dead-letter messages after a cursor (RequeueMessages).
Result<int64_t> ReplayMessages(Session& s, int64_t after_message_id, int64_t up_to_message_id,
                               const Ctx& ctx);

}  // namespace loyalty
