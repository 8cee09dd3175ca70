// ApiServer: the REST API v1 over POCO's HTTPServer. It owns the write path (a CommandExecutor
// over `writer_sessions` sessions), a pool of `reader_sessions` read sessions, its own thread
// pool (POCO serves one keep-alive connection per thread, so `threads` bounds the concurrent
// keep-alive clients), a background purge of expired idempotency records (every 10 min), the
// coupon batch worker and, when a webhook URL is configured, the message webhook worker
// (api/webhook_worker.h).
//
// Thread-safe after Start(). The store, programme and clock must outlive the server.
#pragma once

#include <memory>
#include <string>

#include "api/webhook_worker.h"
#include "core/clock.h"
#include "core/executor.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0 = any free port (see ApiServer::port())
  int threads = 128;                // connection threads = concurrent keep-alive clients
  int max_queued = 256;             // accepted connections waiting for a thread; beyond: closed
  int keep_alive_max_requests = 0;  // requests per connection; 0 = unlimited
  int writer_sessions = 1;
  int reader_sessions = 8;
  bool json_logs = false;  // one JSON object per log line
  WebhookOptions webhook;  // url empty: messages are delivered by the pull API only
};

class ApiServer {
 public:
  ApiServer(Store& store, const Program& program, const Clock& clock, ServerOptions opts);
  ~ApiServer();  // Stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Opens the sessions, binds and starts serving (and the webhook worker when configured).
  // kValidationFailed on bad options (webhook ones included),
  // kUnavailable when the address cannot be bound, the store's error when a session fails.
  Status Start();
  // The bound port (the real one when opts.port was 0). REQUIRES: Start() succeeded.
  int port() const;
  // Stops accepting, finishes the requests in flight, drains the executor. Idempotent.
  void Stop();
  // The write path, e.g. to create API keys in tests. REQUIRES: Start() succeeded.
  CommandExecutor& executor();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalty
