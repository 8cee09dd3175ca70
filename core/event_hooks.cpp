#include "core/event_hooks.h"

#include <algorithm>
#include <set>

#include "core/limits.h"

namespace loyalty {
namespace {

// Cuts at max bytes without leaving half a UTF-8 sequence.
std::string TruncateError(std::string s) {
  if (s.size() <= kMaxEventHookErrorBytes) return s;
  size_t end = kMaxEventHookErrorBytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s;
}

}  // namespace

const char* SubscriptionStatusName(SubscriptionStatus s) {
  switch (s) {
    case SubscriptionStatus::kActive:
      return "active";
    case SubscriptionStatus::kDisabled:
      return "disabled";
  }
  return "unknown";
}

const std::vector<std::string>& EventTypes() {
  // tests/core/event_hooks_test.cpp compares this list with the AppendEvent calls in core/.
  static const std::vector<std::string> kTypes = {
      "consent.changed",   "coupon.expired",  "coupon.expiring_soon", "coupon.issued",
      "coupon.redeemed",   "coupon.restored", "customer.created",     "customer.updated",
      "message.cancelled", "message.created", "message.suppressed",   "order.cancelled",
      "order.confirmed",   "order.placed",    "order.refunded",       "points.activated",
      "points.adjusted",   "points.expired",  "points.expiry_notice", "points.restored",
      "tier.downgraded",   "tier.upgraded",
  };
  return kTypes;
}

bool IsEventType(const std::string& type) {
  const std::vector<std::string>& types = EventTypes();
  return std::binary_search(types.begin(), types.end(), type);
}

Status ValidateEventTypes(const std::vector<std::string>& types) {
  if (types.empty()) return Status::Invalid("event_types", "must list at least one event type");
  if (types.size() > EventTypes().size()) {
    return Status::Invalid("event_types", "lists more types than there are");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < types.size(); ++i) {
    const std::string field = "event_types[" + std::to_string(i) + "]";
    if (types[i] == kAllEventTypes) {
      if (types.size() != 1) return Status::Invalid(field, "\"*\" (every type) must stand alone");
      continue;
    }
    if (!IsEventType(types[i])) {
      std::string names;
      for (const std::string& t : EventTypes()) names += (names.empty() ? "" : ", ") + t;
      return Status::Invalid(field, "is not an event type; one of: " + names + ", or \"*\"");
    }
    if (!seen.insert(types[i]).second) return Status::Invalid(field, "is listed twice");
  }
  return Status::Ok();
}

bool Subscribes(const EventSubscription& s, const std::string& event_type) {
  for (const std::string& t : s.event_types) {
    if (t == kAllEventTypes || t == event_type) return true;
  }
  return false;
}

std::string JoinEventTypes(const std::vector<std::string>& types) {
  std::string out;
  for (const std::string& t : types) out += (out.empty() ? "" : ",") + t;
  return out;
}

std::vector<std::string> SplitEventTypes(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    size_t end = joined.find(',', start);
    if (end == std::string::npos) end = joined.size();
    if (end > start) out.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool SignsWithPrevious(const EventSubscription& s, Micros now_us) {
  return !s.previous_secret.empty() && now_us < s.previous_secret_until_us;
}

EventDeliveryState AfterSkip(EventDeliveryState state, int64_t event_id) {
  LOYALTY_CHECK(event_id > state.cursor_event_id);
  state.cursor_event_id = event_id;
  state.attempts = 0;
  return state;
}

DeliveryStep AfterAttempt(EventDeliveryState state, int64_t event_id, const std::string& error,
                          const RetryPolicy& policy, Micros now_us) {
  LOYALTY_CHECK(event_id > state.cursor_event_id);
  LOYALTY_CHECK(policy.max_attempts >= 1);
  DeliveryStep step;
  state.last_attempt_at_us = now_us;
  if (error.empty()) {
    state.cursor_event_id = event_id;
    state.attempts = 0;
    state.last_error.clear();
    state.next_attempt_at_us = now_us;
    ++state.delivered_count;
    step.state = std::move(state);
    return step;
  }
  state.attempts += 1;
  state.last_error = TruncateError(error);
  if (state.attempts >= policy.max_attempts) {
    step.dead_lettered = true;
    state.cursor_event_id = event_id;  // passed; last_error stays to tell why
    state.attempts = 0;
    state.next_attempt_at_us = now_us;
    ++state.dead_letter_count;
  } else {
    Micros backoff = policy.base_backoff_us;
    for (int i = 1; i < state.attempts && backoff < policy.max_backoff_us; ++i) backoff *= 2;
    state.next_attempt_at_us = now_us + std::min(backoff, policy.max_backoff_us);
  }
  step.state = std::move(state);
  return step;
}

}  // namespace loyalty
