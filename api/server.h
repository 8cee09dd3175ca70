// ApiServer: the REST API v1 behind the front door (api/front_door.h: one I/O thread holds the
// connections, `threads` workers serve complete requests). It owns the write path (a
// CommandExecutor over `writer_sessions` sessions), a pool of `reader_sessions` read sessions,
// a background purge of expired idempotency records (every 10 min), the coupon batch worker
// and, when a webhook URL is configured, the message webhook worker (api/webhook_worker.h).
//
// Thread-safe after Start(). The store, programme and clock must outlive the server.
#pragma once

#include <memory>
#include <string>

#include "api/event_hook_worker.h"
#include "api/webhook_worker.h"
#include "core/clock.h"
#include "core/executor.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0 = any free port (see ApiServer::port())
  int threads = 32;                   // workers serving complete requests
  int max_queued = 256;               // complete requests waiting for a worker; beyond: 503
  int max_connections = 10000;        // open connections; beyond: idle ones go, else 503
  int keep_alive_max_requests = 0;    // requests per connection; 0 = unlimited
  int header_timeout_ms = 5000;       // request line + headers, whole (408 when missed)
  int body_timeout_ms = 10000;        // the whole body (408 when missed)
  int keep_alive_timeout_ms = 15000;  // idle keep-alive (1 s under pressure)
  int queue_wait_ms = 1000;           // a request waiting longer for a worker: 503
  int drain_grace_ms = 10000;         // Stop(): how long requests in flight may finish
  int writer_sessions = 1;
  int reader_sessions = 8;
  bool json_logs = false;        // one JSON object per log line
  WebhookOptions webhook;        // url empty: messages are delivered by the pull API only
  EventHookOptions event_hooks;  // domain-event webhooks (/v1/webhooks/subscriptions)
  // The database row of `program` (app/program_source.h): GET /v1/program shows it and /readyz
  // turns 503 once another version is in force. version 0: none (the programme was handed in).
  ProgramVersion program_version;
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
  // /readyz answers 503 from now on, answers carry Connection: close, idle connections close;
  // requests are still served. Call it, wait for balancers to notice, then Stop().
  void BeginDrain();
  // Stops accepting, finishes the requests in flight, drains the executor. Idempotent.
  void Stop();
  // The write path, e.g. to create API keys in tests. REQUIRES: Start() succeeded.
  CommandExecutor& executor();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalty
