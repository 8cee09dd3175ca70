// What the route handlers reach: the programme, the clock, the write path (executor) and a
// pool of read sessions. Shared by every request thread; everything here is thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "api/records.h"
#include "core/clock.h"
#include "core/executor.h"
#include "core/ledger.h"
#include "core/program.h"
#include "core/store.h"

namespace loyalty {

class Metrics;
class CouponBatchWorker;
class WebhookWorker;
class EventHookWorker;
class ProgramWatch;
class JobMetrics;

// A fixed set of read sessions. Read() checks one out (blocking while all are busy), runs the
// function between BeginRead and EndRead, and returns the session.
class ReadPool {
 public:
  explicit ReadPool(std::vector<std::unique_ptr<Session>> sessions);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // f: Session& -> Status or Result<T>. A failed BeginRead is returned as is.
  template <typename F>
  auto Read(F&& f) -> decltype(f(std::declval<Session&>())) {
    Lease lease(*this);
    Status begun = lease.session().BeginRead();
    if (!begun.ok()) return begun;
    struct EndGuard {
      Session& s;
      ~EndGuard() { s.EndRead(); }
    } guard{lease.session()};
    return f(lease.session());
  }

 private:
  class Lease {
   public:
    explicit Lease(ReadPool& pool) : pool_(pool), session_(pool.Acquire()) {}
    ~Lease() { pool_.Release(session_); }
    Session& session() { return *session_; }

   private:
    ReadPool& pool_;
    Session* session_;
  };
  Session* Acquire();
  void Release(Session* session);

  std::vector<std::unique_ptr<Session>> owned_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Session*> free_;
};

struct ServiceEnv {
  Store& store;
  const Program& program;
  const Clock& clock;
  CommandExecutor& executor;
  ReadPool& readers;
  Metrics& metrics;
  RandomSource* random = nullptr;          // coupon codes (SystemRandom in the server)
  CouponBatchWorker* batches = nullptr;    // large coupon batches (null: left pending)
  WebhookWorker* webhook = nullptr;        // push delivery of messages (null: pull API only)
  EventHookWorker* event_hooks = nullptr;  // push delivery of domain events (null: none)
  // The programme version served, checked by /readyz (null: the programme was handed in rather
  // than read from the database; GET /v1/program answers 404).
  ProgramWatch* program_watch = nullptr;
  // The daily job's figures on /metrics, read from the database (null: left out).
  JobMetrics* job_metrics = nullptr;
  // Set when the server begins to drain: /readyz answers 503 so balancers stop sending.
  const std::atomic<bool>* draining = nullptr;
  // More Prometheus lines for /metrics (the front door's connection figures); may be empty.
  std::function<std::string()> extra_metrics = nullptr;

  // The context of one core call: now, and the caller as the actor.
  Ctx MakeCtx(const ApiKey& key) const {
    return Ctx{program, clock.NowMicros(), Actor{key.name, key.role}, random};
  }
};

}  // namespace loyalty
