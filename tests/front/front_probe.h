// The normal client of front_attack: while the attack runs it sends requests one at a time,
// each on a fresh connection (a checkout that just opened one), and records what it saw and
// how long it took.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/front/front_http.h"
#include "tests/front/front_net.h"

namespace front {

struct RoundTrip {
  bool answered = false;  // a whole answer arrived within the timeout
  Reply reply;
  int64_t latency_ms = 0;  // connect to the last byte of the answer (or to the failure)
  std::string error;       // why there is no answer
};

// Connects, sends `request`, reads one answer; gives up after `timeout_ms` in all.
RoundTrip Exchange(const Target& target, SSL_CTX* tls, const std::string& request,
                   int64_t timeout_ms);

struct ProbeOptions {
  Target target;
  SSL_CTX* tls = nullptr;
  std::string api_key;                 // empty: only GET /healthz
  std::vector<std::string> customers;  // orders go to these, in turn
  std::string run_id;                  // makes every order id new
  int requests = 0;
  int64_t spread_ms = 0;   // the requests are spaced evenly over this
  int64_t stop_at_ms = 0;  // NowMs() after which no request starts (0: none)
  int64_t max_latency_ms = 1000;
  int64_t timeout_ms = 5000;
};

struct ProbeSample {
  bool order = false;  // POST /v1/orders (else GET /healthz)
  RoundTrip trip;
  bool ok = false;  // 2xx, or 503 with Retry-After, within max_latency_ms
};

// The requests alternate GET /healthz and POST /v1/orders (when there is a key). Fewer than
// o.requests samples when stop_at_ms came first (earlier requests took too long).
std::vector<ProbeSample> RunProbe(const ProbeOptions& o);

// PUT /v1/customers/{id} for each; "" when all were answered 2xx, else what went wrong.
std::string CreateCustomers(const ProbeOptions& o);

}  // namespace front
