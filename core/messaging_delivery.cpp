// Handing messages out: leases (pull API and webhook worker), acknowledgements, failures with
// backoff and the dead-letter state, replay. The consent and night-time rule is checked again at
// hand-out time with the customer's current consent.
#include <algorithm>

#include "core/ledger_internal.h"
#include "core/limits.h"
#include "core/messaging.h"

namespace loyalty {
using namespace internal;

namespace {

constexpr size_t kMaxErrorBytes = 500;

// At most max bytes, never cutting a UTF-8 sequence.
std::string TruncateUtf8(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string Describe(const Message& m) {
  std::string out =
      "message " + std::to_string(m.message_id) + " is " + MessageStatusName(m.status);
  if (!m.status_reason.empty()) out += " (" + m.status_reason + ")";
  return out;
}

// Re-checks an advertising message against the customer's consent now (customer locked here,
// before its message is written). Returns true when it may be leased.
Result<bool> RecheckConsent(Session& s, Message& m, const Ctx& ctx) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(m.customer_id));
  // Re-read under the customer's lock: an order may have cancelled it meanwhile.
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Message> current, s.FindMessage(m.message_id));
  if (!c || !current || current->status != MessageStatus::kPending ||
      current->lease_until_us > ctx.now_us || current->not_before_us > ctx.now_us) {
    return false;
  }
  m = std::move(*current);
  if (!c->marketing_consent) {
    m.status = MessageStatus::kSuppressed;
    m.status_reason = "no_marketing_consent";
    m.updated_at_us = ctx.now_us;
    LOYALTY_RETURN_IF_ERROR(s.UpdateMessage(m));
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, *c, "message.suppressed", MessageEventPayload(m), ctx));
    LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, *c, ctx));
    return false;
  }
  if (!c->night_consent && IsNightTime(ctx.now_us, ctx.program.time_zone)) {
    m.not_before_us = NextMorning(ctx.now_us, ctx.program.time_zone);
    m.updated_at_us = ctx.now_us;
    LOYALTY_RETURN_IF_ERROR(s.UpdateMessage(m));
    return false;
  }
  return true;
}

// A pending message is acknowledged only under a live lease of the caller: otherwise a message
// could be marked delivered that was never handed out (an advertisement deferred to 08:00 acked
// by id at night), or one that another client is sending at that moment.
Status CheckLeaseHeld(const Message& m, const Ctx& ctx) {
  const std::string& caller = ctx.actor.name;
  const bool live = m.lease_until_us > ctx.now_us;
  if (m.lease_owner == caller && live) return Status::Ok();
  if (m.lease_owner == caller && !m.lease_owner.empty()) {
    return Status(Code::kLeaseExpired,
                  "message " + std::to_string(m.message_id) + ": the lease ran out at " +
                      FormatInstant(m.lease_until_us) + "; pull it again before acknowledging it",
                  "message_ids");
  }
  // Whether someone else holds it is not the caller's business: the same answer either way.
  return Status(Code::kMessageNotLeased,
                "message " + std::to_string(m.message_id) +
                    " is not leased by this client; pull it before acknowledging it",
                "message_ids");
}

}  // namespace

Result<std::vector<Message>> ClaimMessages(Session& s, const ClaimOptions& o, const Ctx& ctx) {
  if (o.limit < 1 || o.limit > kMaxPageSize) return Status::Invalid("limit", "must be 1 to 500");
  if (o.lease_us < 1'000'000 || o.lease_us > kMaxLeaseUs) {
    return Status::Invalid("lease_seconds", "must be 1 to 3600 seconds");
  }
  if (o.owner.empty() || o.owner.size() > kMaxIdLength) {
    return Status::Invalid("owner", "must be 1 to 64 characters");
  }
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Message> candidates,
                           s.ListDeliverableMessages(ctx.now_us, o.limit));
  std::vector<Message> out;
  for (Message& m : candidates) {
    if (m.category == MessageCategory::kAdvertising) {
      LOYALTY_ASSIGN_OR_RETURN(bool may, RecheckConsent(s, m, ctx));
      if (!may) continue;
    }
    const Micros until = ctx.now_us + o.lease_us;
    LOYALTY_ASSIGN_OR_RETURN(bool leased, s.LeaseMessage(m.message_id, ctx.now_us, until, o.owner));
    if (!leased) continue;  // another node got it first
    m.lease_until_us = until;
    m.lease_owner = o.owner;
    m.updated_at_us = ctx.now_us;
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<AckResult>> AckMessages(Session& s, const std::vector<int64_t>& ids,
                                           const Ctx& ctx) {
  if (ids.empty() || ids.size() > static_cast<size_t>(kMaxPageSize)) {
    return Status::Invalid("message_ids", "must list 1 to 500 message ids");
  }
  std::vector<AckResult> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    AckResult r;
    r.message_id = id;
    LOYALTY_ASSIGN_OR_RETURN(std::optional<Message> found, s.FindMessage(id));
    if (!found) {
      r.status = Status(Code::kNotFound, "no message " + std::to_string(id), "message_ids");
      out.push_back(std::move(r));
      continue;
    }
    Message& m = *found;
    switch (m.status) {
      case MessageStatus::kDelivered:
        break;  // acknowledged before: nothing to do
      case MessageStatus::kPending:
        r.status = CheckLeaseHeld(m, ctx);
        if (!r.status.ok()) break;
        m.status = MessageStatus::kDelivered;
        m.delivered_at_us = ctx.now_us;
        m.lease_until_us = 0;
        m.lease_owner.clear();
        m.updated_at_us = ctx.now_us;
        LOYALTY_RETURN_IF_ERROR(s.UpdateMessage(m));
        break;
      case MessageStatus::kSuppressed:
        r.status =
            Status(Code::kInvalidState, Describe(m) + ": it is never delivered", "message_ids");
        break;
      case MessageStatus::kCancelled:
        r.status = Status(Code::kInvalidState, Describe(m) + ": it was withdrawn before delivery",
                          "message_ids");
        break;
      case MessageStatus::kDeadLetter:
        r.status = Status(Code::kInvalidState, Describe(m) + ": replay it before acknowledging it",
                          "message_ids");
        break;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<Message> RecordDeliveryFailure(Session& s, int64_t message_id, const std::string& error,
                                      const RetryPolicy& policy, const Ctx& ctx) {
  if (policy.max_attempts < 1 || policy.base_backoff_us < 0 ||
      policy.max_backoff_us < policy.base_backoff_us) {
    return Status::Invalid("retry_policy", "needs max_attempts >= 1 and 0 <= base <= max backoff");
  }
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Message> found, s.FindMessage(message_id));
  if (!found) {
    return Status(Code::kNotFound, "no message " + std::to_string(message_id), "message_id");
  }
  Message m = std::move(*found);
  if (m.status != MessageStatus::kPending) {
    return Status(Code::kInvalidState, Describe(m) + ", not awaiting delivery", "message_id");
  }
  m.attempts += 1;
  m.last_error = TruncateUtf8(error, kMaxErrorBytes);
  m.lease_until_us = 0;
  m.lease_owner.clear();
  m.updated_at_us = ctx.now_us;
  if (m.attempts >= policy.max_attempts) {
    m.status = MessageStatus::kDeadLetter;  // last_error tells why
  } else {
    Micros backoff = policy.base_backoff_us;
    for (int i = 1; i < m.attempts && backoff < policy.max_backoff_us; ++i) backoff *= 2;
    m.not_before_us = ctx.now_us + std::min(backoff, policy.max_backoff_us);
  }
  LOYALTY_RETURN_IF_ERROR(s.UpdateMessage(m));
  return m;
}

Result<int64_t> ReplayMessages(Session& s, int64_t after_message_id, int64_t up_to_message_id,
                               const Ctx& ctx) {
  if (after_message_id < 0) return Status::Invalid("after", "must not be negative");
  if (up_to_message_id < 0 || (up_to_message_id != 0 && up_to_message_id <= after_message_id)) {
    return Status::Invalid("up_to", "must be 0 (no bound) or greater than after");
  }
  return s.RequeueMessages(after_message_id, up_to_message_id, ctx.now_us);
}

}  // namespace loyalty
