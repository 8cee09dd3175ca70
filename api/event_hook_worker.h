// EventHookWorker: push delivery of domain events to the subscriptions of
// /v1/webhooks/subscriptions (core/event_hooks.h, docs/webhooks.md). A background thread of
// every API node looks at the active subscriptions that are due, takes one with a lease (a
// conditional UPDATE through the executor: two nodes never deliver one subscription at once),
// reads the events after its cursor in event_id order and POSTs each one it subscribes to, one
// event per request, as GET /v1/events renders it, signed per the Standard Webhooks scheme:
//
//   webhook-id: <event_id>                    (stable across retries and replays)
//   webhook-timestamp: <unix seconds>
//   webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>
//
// where key is the base64-decoded part of the subscription's secret after "whsec_". For
// kEventHookSecretGraceUs after a rotation the header lists two space-separated signatures,
// `v1,<new> v1,<previous>`.
//
// A 2xx answer moves the cursor past the event. Anything else stops the subscription at that
// event (its later events wait: per-customer order holds) until the backoff passes
// (backoff_seconds, doubled per attempt, at most an hour); the max_attempts-th failure records
// a dead letter and moves on. Delivery is at least once: receivers dedupe on webhook-id.
// https:// goes through NetSSL with the system CA store (api/tls_client.h).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/poll_loop.h"
#include "core/event_hook_records.h"
#include "core/status.h"
#include "core/types.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace loyalty {

struct ServiceEnv;

struct EventHookOptions {
  bool enabled = true;          // false: subscriptions are kept but nothing is delivered
  int max_attempts = 8;         // failures of one event before its dead letter
  int backoff_seconds = 30;     // first retry delay; doubled per attempt, at most an hour
  int timeout_ms = 5000;        // connect / send / receive timeout per request
  int poll_interval_ms = 1000;  // idle wake-up interval (Wake() interrupts it)
  int batch = 50;               // events read per subscription per lease
};

// attempts 1..100, backoff 1..86400 s, timeout 100..60000 ms, poll 10..60000 ms, batch 1..500
// (fields event_hook_*).
Status ValidateEventHookOptions(const EventHookOptions& o);

// An http:// or https:// URL with a host, no credentials, at most kMaxWebhookUrlLength
// characters. Invalid("url", why) otherwise.
Status ValidateSubscriptionUrl(const std::string& url);

// "whsec_" + base64 of kEventHookSecretBytes bytes from the kernel's CSPRNG.
Result<std::string> NewEventHookSecret();

// "v1," + base64(HMAC-SHA256(base64-decoded secret after "whsec_", id.timestamp.body)); "" when
// the secret is not of that form.
std::string StandardWebhookSignature(const std::string& secret, const std::string& id,
                                     const std::string& timestamp, const std::string& body);
// The webhook-signature value for s at now_us: the current secret's signature, then, while
// SignsWithPrevious, a space and the previous secret's.
std::string StandardWebhookSignatureHeader(const EventSubscription& s, Micros now_us,
                                           const std::string& id, const std::string& timestamp,
                                           const std::string& body);

class EventHookWorker {
 public:
  EventHookWorker(ServiceEnv& env, EventHookOptions opts);
  ~EventHookWorker();  // Stop()
  EventHookWorker(const EventHookWorker&) = delete;
  EventHookWorker& operator=(const EventHookWorker&) = delete;

  Status Start();  // validates the options and starts the thread
  // Finishes the request in flight and stops; a lease held runs out (then any node takes it).
  void Stop();
  void Wake();  // look at the subscriptions now (a new one, a replay) instead of at the next poll

 private:
  struct Conn;      // one keep-alive HTTP(S) session per subscription
  bool RunRound();  // true when a subscription had more events than one batch
  bool Serve(int64_t subscription_id, int64_t last_event_id);
  std::string Post(const EventSubscription& s, const Event& e);  // "" = delivered, else why
  bool Save(const EventSubscription& s, const EventDeliveryState& state, const Event* dead);
  void Release(int64_t subscription_id);

  ServiceEnv& env_;
  const EventHookOptions opts_;
  std::string owner_;  // host:pid:random, this node's lease holder name
  std::map<int64_t, std::unique_ptr<Conn>> conns_;  // by subscription_id; worker thread only

  PollLoop loop_;  // last: its thread stops before the members above go
};

}  // namespace loyalty
