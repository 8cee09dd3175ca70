// The records of domain-event webhooks (docs/webhooks.md) and their store area: subscriptions,
// each with its delivery state, and dead letters. The rules are in core/event_hooks.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace loyalty {

// Persisted: never renumber.
enum class SubscriptionStatus : int {
  kActive = 1,
  kDisabled = 2,  // DELETE: never delivered again, kept for its history
};
const char* SubscriptionStatusName(SubscriptionStatus s);

// Where a subscription stands in the event feed.
struct EventDeliveryState {
  int64_t cursor_event_id = 0;  // every event up to this one is done with
  int32_t attempts = 0;         // failed attempts of the next matching event after the cursor
  Micros next_attempt_at_us = 0;
  std::string last_error;  // the last failure ("" after a success)
  Micros last_attempt_at_us = 0;
  int64_t delivered_count = 0;
  int64_t dead_letter_count = 0;
  int64_t version = 0;  // state_version as read; the conditional save compares it
};

struct EventSubscription {
  int64_t subscription_id = 0;  // assigned by the store
  std::string url;
  std::vector<std::string> event_types;  // known types (EventTypes()), or the one "*"
  std::string description;
  SubscriptionStatus status = SubscriptionStatus::kActive;
  std::string secret;           // "whsec_" + base64 of kEventHookSecretBytes random bytes
  std::string previous_secret;  // "" = none; else also signs until previous_secret_until_us
  Micros previous_secret_until_us = 0;
  Micros created_at_us = 0;
  Micros updated_at_us = 0;
  Micros disabled_at_us = 0;
  EventDeliveryState delivery;
  std::string lease_owner;  // the node delivering it now ("" = nobody)
  Micros lease_until_us = 0;
};

// One event a subscription gave up on after max_attempts.
struct EventDeadLetter {
  int64_t dead_letter_id = 0;  // assigned by the store
  int64_t subscription_id = 0;
  int64_t event_id = 0;
  std::string customer_id;
  std::string type;
  int32_t attempts = 0;
  std::string last_error;
  Micros created_at_us = 0;
};

// The store area (core/store.h's Session implements it).
class EventHookRecords {
 public:
  virtual ~EventHookRecords() = default;
  // Every field but subscription_id, lease_owner and lease_until_us (written empty); returns
  // the new subscription_id.
  virtual Result<int64_t> InsertEventSubscription(const EventSubscription& s) = 0;
  virtual Result<std::optional<EventSubscription>> FindEventSubscription(int64_t id) = 0;
  // Every status, subscription_id > after_id ascending, at most limit.
  virtual Result<std::vector<EventSubscription>> ListEventSubscriptions(int64_t after_id,
                                                                        int limit) = 0;
  virtual Result<int64_t> CountActiveEventSubscriptions() = 0;
  // Ids of active subscriptions with next_attempt_at_us <= now_us whose lease is free at now_us,
  // ascending, at most limit.
  virtual Result<std::vector<int64_t>> ListDueEventSubscriptions(Micros now_us, int limit) = 0;
  // The settings: status, secret, previous_secret, previous_secret_until_us, disabled_at_us,
  // updated_at_us. kNotFound when there is no such subscription.
  virtual Status UpdateEventSubscriptionSettings(const EventSubscription& s) = 0;
  // The conditional lease: owner until until_us WHERE active AND (lease free at now_us OR
  // already owner's). True when the caller holds it now.
  virtual Result<bool> LeaseEventSubscription(int64_t id, const std::string& owner, Micros now_us,
                                              Micros until_us) = 0;
  // Writes the delivery state (state_version = state.version + 1) WHERE lease_owner = owner,
  // lease_until_us > now_us and state_version = state.version. False when it did not match
  // (the lease was lost, or a replay came first): the caller stops delivering it.
  virtual Result<bool> SaveEventDelivery(int64_t id, const std::string& owner,
                                         const EventDeliveryState& state, Micros now_us) = 0;
  virtual Status ReleaseEventSubscription(int64_t id, const std::string& owner) = 0;
  // Replay: cursor_event_id = after_event_id, attempts 0, next_attempt_at_us = now_us, no
  // last_error, state_version + 1. False when there is no such subscription.
  virtual Result<bool> ReplayEventSubscription(int64_t id, int64_t after_event_id,
                                               Micros now_us) = 0;
  virtual Result<int64_t> InsertEventDeadLetter(const EventDeadLetter& d) = 0;
  // Newest first, at most limit.
  virtual Result<std::vector<EventDeadLetter>> ListEventDeadLetters(int64_t subscription_id,
                                                                    int limit) = 0;
  // The highest event_id (0 with no events): where a new subscription starts.
  virtual Result<int64_t> LastEventId() = 0;
};

}  // namespace loyalty
