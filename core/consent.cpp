// Consent records, the opt-out and the consent notices (core/consent.h).
#include "core/consent.h"

#include <date/date.h>

#include <vector>

#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/limits.h"
#include "core/messaging.h"

namespace loyalty {
using namespace internal;

namespace {

// What the customer consented to, as the notices name it.
std::string ConsentItems(bool night) {
  std::string items = "광고성 정보 수신";
  if (night) items += " (야간 포함)";
  return items;
}

bool IsLeap(int year) { return date::year{year}.is_leap(); }

}  // namespace

Status CheckConsentChannel(const std::string& channel) {
  if (channel.empty() || channel.size() > kMaxConsentChannelLength) {
    return Status::Invalid("channel", "must be 1 to 32 characters of [a-z0-9_]");
  }
  for (char ch : channel) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) {
      return Status::Invalid("channel", "must be 1 to 32 characters of [a-z0-9_]");
    }
  }
  return Status::Ok();
}

namespace internal {

Status RecordConsent(Session& s, Customer& c, bool was_marketing, bool was_night,
                     const std::string& channel, bool reconfirm, bool withdraw_requested,
                     ConsentWrite* out, const Ctx& ctx) {
  const bool marketing_changed = c.marketing_consent != was_marketing;
  const bool night_changed = c.night_consent != was_night;
  int64_t suppressed = 0;
  // A withdrawal is effective for every message not handed out yet, and a repeated withdrawal
  // (an 080 reply after an unsubscribe link) finds nothing left to suppress. The customer is
  // locked, so the messages listed are those the update turns (each gets its
  // "message.suppressed" event, as a suppression at hand-out time does).
  if (!c.marketing_consent && (marketing_changed || withdraw_requested)) {
    std::vector<Message> pending;
    MessageQuery q;
    q.customer_id = c.customer_id;
    q.status = MessageStatus::kPending;
    q.limit = kMaxPageSize;
    for (;;) {
      LOYALTY_ASSIGN_OR_RETURN(std::vector<Message> page, s.ListMessages(q));
      for (Message& m : page) {
        q.after_message_id = m.message_id;
        if (m.category == MessageCategory::kAdvertising) pending.push_back(std::move(m));
      }
      if (static_cast<int>(page.size()) < q.limit) break;
    }
    if (!pending.empty()) {
      LOYALTY_ASSIGN_OR_RETURN(suppressed, s.SuppressPendingAdvertising(
                                               c.customer_id, kReasonConsentWithdrawn, ctx.now_us));
      for (Message& m : pending) {
        m.status = MessageStatus::kSuppressed;
        m.status_reason = kReasonConsentWithdrawn;
        m.updated_at_us = ctx.now_us;
        LOYALTY_RETURN_IF_ERROR(
            AppendEvent(s, c, "message.suppressed", MessageEventPayload(m), ctx));
      }
    }
  }
  if (out != nullptr) out->suppressed_messages = suppressed;
  // Nothing changed: nothing recorded (a repeated withdrawal has suppressed what was left, which
  // is nothing unless a message was queued in between by a path that missed the rule).
  if (!marketing_changed && !night_changed && !reconfirm) return Status::Ok();
  if ((marketing_changed && c.marketing_consent) || reconfirm) {
    c.consent_confirmed_at_us = ctx.now_us;
    c.consent_channel = channel;
  } else if (marketing_changed) {  // withdrawn
    c.consent_confirmed_at_us = 0;
    c.consent_channel = channel;
  }
  ConsentChange ch;
  ch.customer_id = c.customer_id;
  ch.marketing_consent = c.marketing_consent;
  ch.night_consent = c.night_consent;
  ch.channel = channel;
  ch.actor = ctx.actor.Label();
  ch.created_at_us = ctx.now_us;
  LOYALTY_ASSIGN_OR_RETURN(ch.change_id, s.InsertConsentChange(ch));
  LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "consent.changed",
                                      JsonWriter()
                                          .Int("change_id", ch.change_id)
                                          .Bool("marketing_consent", c.marketing_consent)
                                          .Bool("night_consent", c.night_consent)
                                          .Str("channel", channel)
                                          .Bool("reconfirm", reconfirm)
                                          .Int("suppressed_messages", suppressed)
                                          .Str("actor", ctx.actor.Label())
                                          .Finish(),
                                      ctx));
  bool notice = false;
  if (marketing_changed) {
    // The result of the change: what was granted (with the night consent now held) or what was
    // withdrawn (with the night consent held before).
    MessageRequest r;
    r.type = kMsgConsentChanged;
    r.dedupe_key = "consent_changed:" + c.customer_id + ":" + std::to_string(ch.change_id);
    r.variables = {
        {"consent_result", c.marketing_consent ? "수신 동의" : "수신 거부"},
        {"changed_on", FormatLocalDate(BusinessDate(ctx.now_us, ctx.program.time_zone))},
        {"consent_items", ConsentItems(c.marketing_consent ? c.night_consent : was_night)}};
    LOYALTY_ASSIGN_OR_RETURN(std::optional<MessageWrite> w, EnqueueMessage(s, c, r, ctx));
    notice = w.has_value() && !w->replayed;
  }
  if (out != nullptr) {
    out->change = std::move(ch);
    out->notice_written = notice;
  }
  return Status::Ok();
}

}  // namespace internal

Result<ConsentWrite> ChangeConsent(Session& s, const ConsentRequest& r, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", r.customer_id));
  LOYALTY_RETURN_IF_ERROR(CheckConsentChannel(r.channel));
  if (!r.marketing_consent && !r.night_consent && !r.reconfirm) {
    return Status::Invalid("marketing_consent",
                           "give marketing_consent, night_consent or reconfirm: true");
  }
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, r.customer_id));  // locks the customer
  const bool was_marketing = c.marketing_consent;
  const bool was_night = c.night_consent;
  if (r.marketing_consent) c.marketing_consent = *r.marketing_consent;
  if (r.night_consent) c.night_consent = *r.night_consent;
  if (r.reconfirm && !c.marketing_consent) {
    return Status::Invalid("reconfirm", "confirms a marketing consent the customer does not hold");
  }
  ConsentWrite out;
  const int64_t seq = c.event_seq;
  const Micros confirmed = c.consent_confirmed_at_us;
  const std::string channel = c.consent_channel;
  LOYALTY_RETURN_IF_ERROR(RecordConsent(s, c, was_marketing, was_night, r.channel, r.reconfirm,
                                        r.marketing_consent == std::optional<bool>(false), &out,
                                        ctx));
  if (c.event_seq != seq || c.marketing_consent != was_marketing || c.night_consent != was_night ||
      c.consent_confirmed_at_us != confirmed || c.consent_channel != channel) {
    LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  }
  out.customer = std::move(c);
  return out;
}

LocalDate ReconfirmDueThrough(const LocalDate& d) {
  LocalDate through{d.year - 2, d.month, d.day};
  if (d.month == 2 && d.day == 28 && IsLeap(d.year - 2)) through.day = 29;
  if (d.month == 2 && d.day == 29 && !IsLeap(d.year - 2)) through.day = 28;
  return through;
}

Micros ReconfirmCutoff(const LocalDate& d, const std::string& time_zone) {
  return StartOfDay(AddDays(ReconfirmDueThrough(d), 1), time_zone) - 1;
}

Result<bool> NotifyConsentReconfirm(Session& s, const std::string& customer_id, const LocalDate& d,
                                    const Ctx& ctx) {
  if (ctx.program.messaging.Enabled(kMsgConsentReconfirm) == nullptr) return false;
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  // Decided again under the lock: a withdrawal or a new confirmation since the page was read.
  if (!c.marketing_consent || c.consent_confirmed_at_us <= 0 ||
      c.consent_confirmed_at_us > ReconfirmCutoff(d, ctx.program.time_zone)) {
    return false;
  }
  MessageRequest r;
  r.type = kMsgConsentReconfirm;
  r.dedupe_key =
      "consent_reconfirm:" + c.customer_id + ":" + std::to_string(c.consent_confirmed_at_us);
  r.variables = {{"consented_on",
                  FormatLocalDate(BusinessDate(c.consent_confirmed_at_us, ctx.program.time_zone))},
                 {"consent_items", ConsentItems(c.night_consent)}};
  const int64_t seq = c.event_seq;
  LOYALTY_ASSIGN_OR_RETURN(std::optional<MessageWrite> w, EnqueueMessage(s, c, r, ctx));
  if (c.event_seq != seq) LOYALTY_RETURN_IF_ERROR(SaveCustomer(s, c, ctx));
  return w.has_value() && !w->replayed;
}

}  // namespace loyalty
