// FrontDoor: the HTTP/1.1 connection layer in front of the request pipeline. POCO's HTTPServer
// gives every connection a thread for its whole life, so slow, silent or idle keep-alive
// clients hold every thread and starve checkout. Here one I/O thread owns every connection that
// is not being served: it accepts, reads request heads and bodies without blocking, enforces
// whole-request deadlines, and hands only COMPLETE requests to a bounded queue that a fixed set
// of worker threads serves. POCO still parses each request head (Poco::Net::HTTPRequest::read)
// and the pipeline behind it is unchanged.
//
// What a client sees (docs/operations.md):
//  - headers not complete within header_timeout (from accept, or from the first byte of a later
//    request on a keep-alive connection), or a body not complete within body_timeout: 408 and
//    the connection is closed;
//  - a complete request that finds max_queued requests waiting, or that waited longer than
//    queue_wait for a worker: 503 with Retry-After and Connection: close. Priority paths
//    (/healthz, /readyz) jump the queue and are never shed;
//  - at max_connections the longest-idle keep-alive connection is closed to make room; with
//    none idle the new connection is answered 503 and closed;
//  - idle keep-alive connections close after keep_alive_timeout, or after
//    pressure_keep_alive_timeout while requests are queued or connections are above 3/4 of
//    max_connections;
//  - an answer that closes the connection is followed by a lingering close (unread input is
//    drained for a moment), so the client reads the answer instead of a reset.
//
// Ownership: a connection belongs either to the I/O thread (armed in epoll, one-shot) or to the
// one worker serving it; the sweep that enforces deadlines only touches armed connections.
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace loyalty {

struct FrontOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port
  int workers = 32;
  int max_queued = 256;
  int max_connections = 10000;
  int keep_alive_max_requests = 0;  // requests per connection; 0 = unlimited
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{15000};
  std::chrono::milliseconds pressure_keep_alive_timeout{1000};
  std::chrono::milliseconds queue_wait{1000};
  std::chrono::milliseconds linger{2000};  // draining unread input after a closing answer
  int retry_after_seconds = 1;
  std::vector<std::string> priority_paths = {"/healthz", "/readyz"};
};

// kValidationFailed naming the first bad option.
Status ValidateFrontOptions(const FrontOptions& o);

struct FrontRequest {
  Poco::Net::HTTPRequest head;  // method, URI, version, headers
  std::string body;             // decoded (chunked bodies are de-chunked)
  bool body_too_large = false;  // over kMaxBodyBytes: read and discarded, `body` is empty
};

struct FrontReply {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // the handler wants the connection closed after this answer
};

// Called on a worker thread, concurrently; must not throw (the pipeline catches everything).
using FrontHandler = std::function<FrontReply(const FrontRequest&)>;

struct FrontStats {
  int64_t open_connections = 0;
  int64_t queued = 0;        // complete requests waiting for a worker
  int64_t busy_workers = 0;  // workers serving a request
  int64_t accepted_total = 0;
  int64_t requests_total = 0;          // complete requests handed to the handler
  int64_t shed_queue_full_total = 0;   // 503: the queue was full
  int64_t shed_queue_wait_total = 0;   // 503: waited longer than queue_wait
  int64_t shed_connections_total = 0;  // 503 at accept: max_connections, none idle
  int64_t header_timeouts_total = 0;   // 408
  int64_t body_timeouts_total = 0;     // 408
  int64_t write_timeouts_total = 0;    // a client that stopped reading its answer
  int64_t idle_closed_total = 0;       // keep-alive timeout (normal or under pressure)
  int64_t idle_evicted_total = 0;      // closed to admit a new connection
  int64_t bad_requests_total = 0;      // 400/413/431/501 answered by the front itself
};

class FrontDoor {
 public:
  FrontDoor(FrontOptions options, FrontHandler handler);
  ~FrontDoor();  // Stop()
  FrontDoor(const FrontDoor&) = delete;
  FrontDoor& operator=(const FrontDoor&) = delete;

  // Binds, listens and starts the I/O thread and the workers. kValidationFailed on bad
  // options, kUnavailable when the address cannot be bound.
  Status Start();
  int port() const;  // the bound port. REQUIRES: Start() succeeded.
  // Answers from now on carry Connection: close, idle connections are closed.
  void BeginDrain();
  // Stops accepting, lets requests already received finish (up to `grace`), then closes every
  // connection and joins the threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  FrontStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The Prometheus lines for FrontStats (loyalty_http_* gauges and counters).
std::string RenderFrontStats(const FrontStats& s);

}  // namespace loyalty
