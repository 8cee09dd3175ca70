// Domain-event webhooks (docs/webhooks.md): subscriptions of the shop's systems to event types,
// the pure rules of their delivery (the records and their store area: core/event_hook_records.h).
//
// A subscription reads the events table after its cursor, in event_id order, and hands each
// event of a type it subscribes to to the API's worker (api/event_hook_worker.h), one at a time.
// The cursor stops at the first event that fails: the events after it wait, so one customer's
// events always arrive in the order they happened (and so do everyone else's, the documented
// simplification). A failing event is retried with exponential backoff and, after
// max_attempts, recorded as a dead letter and passed; a replay moves the cursor back.
//
// Several API nodes may deliver: a node takes a subscription with a lease (a conditional
// UPDATE), and only the lease holder's save of the delivery state goes through (lease owner,
// a live lease and the state_version it read). A replay bumps state_version, so a delivery in
// flight never overwrites it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event_hook_records.h"
#include "core/messaging.h"
#include "core/status.h"
#include "core/types.h"

namespace loyalty {

// --- pure rules ---

// Every event type the engine appends (core's AppendEvent calls), sorted.
const std::vector<std::string>& EventTypes();
inline constexpr const char* kAllEventTypes = "*";
bool IsEventType(const std::string& type);
// 1..EventTypes().size() entries, each a known type listed once, or "*" alone.
// Invalid("event_types[i]" or "event_types", why) otherwise.
Status ValidateEventTypes(const std::vector<std::string>& types);
bool Subscribes(const EventSubscription& s, const std::string& event_type);
// The stored form ("a,b" or "*") and back.
std::string JoinEventTypes(const std::vector<std::string>& types);
std::vector<std::string> SplitEventTypes(const std::string& joined);

// The previous secret still signs at now_us.
bool SignsWithPrevious(const EventSubscription& s, Micros now_us);

// The state after event_id, which the subscription does not want: passed.
EventDeliveryState AfterSkip(EventDeliveryState state, int64_t event_id);

struct DeliveryStep {
  EventDeliveryState state;
  bool dead_lettered = false;  // this failure was the last attempt: record a dead letter
};
// The state after one attempt to deliver event_id: delivered (error empty) moves the cursor
// past it; a failure counts an attempt and waits base * 2^(attempts-1), at most max (the
// RetryPolicy of the message webhook); the max_attempts-th failure dead-letters it and moves on.
// REQUIRES: event_id > state.cursor_event_id, policy.max_attempts >= 1.
DeliveryStep AfterAttempt(EventDeliveryState state, int64_t event_id, const std::string& error,
                          const RetryPolicy& policy, Micros now_us);

}  // namespace loyalty
