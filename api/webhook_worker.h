// WebhookWorker: the optional push delivery of the message outbox (docs/messages.md). A
// background thread claims deliverable messages (ClaimMessages, owner "webhook", through the
// executor), POSTs each one to the configured URL, one message per request, signed:
//
//   X-Loyalty-Timestamp: <unix seconds>
//   X-Loyalty-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-Loyalty-Message-Id: <message_id>
//
// While a previous secret is configured (a rotation), the signature header lists both, the
// new one first: `v1=<new>, v1=<old>`, so a receiver holding either secret verifies.
//
// A 2xx answer acknowledges the message (AckMessages); anything else (non-2xx, connection
// error, timeout) is recorded with RecordDeliveryFailure, which backs off exponentially and
// moves the message to the dead-letter state after max_attempts. Delivery is at least once
// (an answer lost after a 2xx is sent again): receivers dedupe on X-Loyalty-Message-Id.
// One customer's messages arrive in creation order: the store hands out only a customer's
// oldest pending message, so a failing message holds back that customer's later ones until
// it is delivered or dead-lettered.
//
// https:// URLs go through POCO NetSSL (TLS 1.2 or later): the receiver's certificate chain is
// verified against the system CA store (plus an optional private CA file) and its name against
// the URL's host, loopback included. A certificate that fails either check is refused, never
// accepted with a warning: the attempt fails like a refused connection ("tls: ...").
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/poll_loop.h"
#include "core/status.h"
#include "core/types.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace loyalty {

struct ServiceEnv;

struct WebhookOptions {
  std::string url;              // "" = no webhook worker; else http[s]://host[:port]/path
  std::string secret;           // HMAC key; required with a url (at least kMinWebhookSecretLength)
  std::string previous_secret;  // "" = none; else also signed with it (a rotation in progress)
  std::string ca_file;          // https only: PEM CA certificates trusted besides the system store
  int max_attempts = 8;         // failures before the dead-letter state
  int backoff_seconds = 30;     // first retry delay; doubled per attempt, at most an hour
  int timeout_ms = 5000;        // connect / send / receive timeout per request
  int poll_interval_ms = 1000;  // idle wake-up interval (Wake() interrupts it)
  int batch = 16;               // messages claimed per executor command

  bool enabled() const { return !url.empty(); }
};

inline constexpr size_t kMinWebhookSecretLength = 16;

// The checks `loyalty serve` and ApiServer::Start apply: an http or https URL with a host, a
// secret of at least kMinWebhookSecretLength bytes, a previous secret (if any) as long and
// different, a CA file (if any) only for https and readable, attempts 1..100, backoff
// 1..86400 s, timeout 100..60000 ms, poll 10..60000 ms, batch 1..500. Whether the CA file holds
// certificates is found out by WebhookWorker::Start.
Status ValidateWebhookOptions(const WebhookOptions& o);

// "v1=" + HmacSha256Hex(secret, timestamp + "." + body): one signature.
std::string WebhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body);
// The X-Loyalty-Signature value: WebhookSignature(secret), followed by ", " and
// WebhookSignature(previous_secret) when previous_secret is not empty.
std::string WebhookSignatureHeader(const std::string& secret, const std::string& previous_secret,
                                   const std::string& timestamp, const std::string& body);
// The receiver's check (docs/messages.md): `header` lists one or more comma-separated "v1="
// signatures; true when one matches (constant-time). Age checks are the receiver's business.
bool VerifyWebhookSignature(const std::string& secret, const std::string& timestamp,
                            const std::string& body, const std::string& header);

class WebhookWorker {
 public:
  WebhookWorker(ServiceEnv& env, WebhookOptions opts);
  ~WebhookWorker();  // Stop()
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  // Validates the options, loads the CA certificates for an https URL (kValidationFailed,
  // field webhook_ca_file, when they cannot be loaded) and starts the thread.
  Status Start();
  // Finishes the request in flight and stops. Messages claimed but not posted yet keep their
  // lease until it runs out (then any node claims them again).
  void Stop();
  // Claim again now (a replay, a new message) instead of at the next poll.
  void Wake();

 private:
  struct Outcome {
    bool delivered = false;
    std::string error;  // when not delivered: "HTTP 503", "connection: ...", "tls: ...", "timeout"
  };
  struct Tls;  // the NetSSL client context (kept out of this header, with OpenSSL's)
  // One claim and its deliveries. Returns whether a full batch was claimed (claim again now).
  bool RunOnce();
  Outcome Post(const Message& m);
  void Record(const Message& m, const Outcome& outcome);

  ServiceEnv& env_;
  const WebhookOptions opts_;
  std::string host_, path_;
  uint16_t port_ = 80;
  std::unique_ptr<Tls> tls_;                               // set for an https URL
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;  // keep-alive; reset on error

  PollLoop loop_;  // last: its thread stops before the members above go
};

}  // namespace loyalty
