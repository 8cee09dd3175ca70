// Consent records (docs/messages.md, "Korean advertising rules"): the customer's marketing and
// night consent with the date and channel of the last confirmation, the history of every change,
// the opt-out that suppresses queued advertising, and the notices the law asks for
// (consent_changed on a change of marketing consent, consent_reconfirm two years after the last
// confirmation). Commands run inside a write transaction (the executor's).
#pragma once

#include <optional>
#include <string>

#include "core/business_time.h"
#include "core/ledger.h"
#include "core/status.h"
#include "core/store.h"
#include "core/types.h"

namespace loyalty {

// "api" for consent set through PUT /v1/customers/{id}.
inline constexpr const char kConsentChannelApi[] = "api";
// Why pending advertising messages were suppressed by a withdrawal.
inline constexpr const char kReasonConsentWithdrawn[] = "consent_withdrawn";

// 1..32 characters of [a-z0-9_]; kInvalid on field "channel" otherwise.
Status CheckConsentChannel(const std::string& channel);

struct ConsentRequest {
  std::string customer_id;
  std::optional<bool> marketing_consent;  // absent = unchanged
  std::optional<bool> night_consent;      // absent = unchanged
  std::string channel;                    // how the customer said it (web, app, sms_080, cs...)
  // The customer confirms the marketing consent they hold (answering the reconfirmation
  // notice): resets consent_confirmed_at. Requires marketing consent after the request.
  bool reconfirm = false;
};

struct ConsentWrite {
  Customer customer;  // as saved
  // The history row written; absent when the request changed nothing (same values, no
  // reconfirmation): nothing is recorded then.
  std::optional<ConsentChange> change;
  int64_t suppressed_messages = 0;  // pending advertising messages suppressed by a withdrawal
  bool notice_written = false;      // a consent_changed notice was written
};

// Applies a consent request (POST /v1/customers/{id}/consent). At least one of
// marketing_consent, night_consent, reconfirm. Rules:
//  - A grant (marketing false -> true) or a reconfirmation sets consent_confirmed_at_us = now and
//    consent_channel = channel; a withdrawal (true -> false) sets consent_confirmed_at_us = 0 and
//    consent_channel = channel. A night-consent-only change leaves both.
//  - Every change (or reconfirmation) is one consent_changes row and one "consent.changed"
//    event. A request that repeats the values held records nothing (a repeated true is not a
//    confirmation: use reconfirm).
//  - A withdrawal of marketing consent suppresses every pending advertising message of the
//    customer (reason consent_withdrawn), leased or not; a request of marketing_consent false
//    does so even when consent was already withdrawn.
//  - A change of the marketing consent value writes the consent_changed notice (when its trigger
//    is on; dedupe key consent_changed:<customer>:<change_id>). Night-consent-only changes and
//    reconfirmations write none.
Result<ConsentWrite> ChangeConsent(Session& s, const ConsentRequest& r, const Ctx& ctx);

// The daily job's consent_reconfirm step. The last day of confirmations due on business date d:
// the same month and day two years earlier. 29 February has no counterpart two years later: a
// confirmation made on it is due on 28 February (never later than two years), so on a 28 February
// whose year - 2 is a leap year both 28 and 29 February are due, and on 29 February nothing new.
LocalDate ReconfirmDueThrough(const LocalDate& d);
// The instant through which confirmations are due on d: the end of ReconfirmDueThrough(d) in the
// programme's zone (inclusive: a confirmation at or before it is due).
Micros ReconfirmCutoff(const LocalDate& d, const std::string& time_zone);

// One customer (locked here): when it holds marketing consent confirmed at or before
// ReconfirmCutoff(d), writes the consent_reconfirm notice once per confirmation (dedupe key
// consent_reconfirm:<customer>:<consent_confirmed_at_us>; consented_on = the confirmation's date
// in the programme's zone). Returns whether a notice was written (false when the trigger is off).
Result<bool> NotifyConsentReconfirm(Session& s, const std::string& customer_id, const LocalDate& d,
                                    const Ctx& ctx);

namespace internal {
// The rules of ChangeConsent on a customer the caller loaded (locked) and stored: c holds the new
// values already, was_marketing / was_night the values before. The caller saves c afterwards.
// Used by UpsertCustomer (PUT /v1/customers/{id}, channel "api").
Status RecordConsent(Session& s, Customer& c, bool was_marketing, bool was_night,
                     const std::string& channel, bool reconfirm, bool withdraw_requested,
                     ConsentWrite* out, const Ctx& ctx);
}  // namespace internal

}  // namespace loyalty
