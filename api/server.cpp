#include "api/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "api/coupon_batches.h"
#include "api/crypto.h"
#include "api/event_hook_worker.h"
#include "api/front_door.h"
#include "api/idempotency.h"
#include "api/job_metrics.h"
#include "api/metrics.h"
#include "api/program_watch.h"
#include "api/request_pipeline.h"
#include "api/service.h"
#include "api/webhook_worker.h"
#include "core/limits.h"

namespace loyalty {
namespace {

constexpr auto kPurgeInterval = std::chrono::minutes(10);

FrontOptions FrontOptionsOf(const ServerOptions& o) {
  FrontOptions f;
  f.host = o.host;
  f.port = o.port;
  f.workers = o.threads;
  f.max_queued = o.max_queued;
  f.max_connections = o.max_connections;
  f.keep_alive_max_requests = o.keep_alive_max_requests;
  f.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
  f.body_timeout = std::chrono::milliseconds(o.body_timeout_ms);
  f.keep_alive_timeout = std::chrono::milliseconds(o.keep_alive_timeout_ms);
  f.queue_wait = std::chrono::milliseconds(o.queue_wait_ms);
  return f;
}

Status CheckOptions(const ServerOptions& o) {
  LOYALTY_RETURN_IF_ERROR(ValidateFrontOptions(FrontOptionsOf(o)));
  if (o.writer_sessions < 1) return Status::Invalid("writer_sessions", "must be at least 1");
  if (o.reader_sessions < 1) return Status::Invalid("reader_sessions", "must be at least 1");
  if (o.webhook.enabled()) LOYALTY_RETURN_IF_ERROR(ValidateWebhookOptions(o.webhook));
  if (o.event_hooks.enabled) LOYALTY_RETURN_IF_ERROR(ValidateEventHookOptions(o.event_hooks));
  return Status::Ok();
}

Result<std::vector<std::unique_ptr<Session>>> OpenSessions(Store& store, int count) {
  std::vector<std::unique_ptr<Session>> sessions;
  for (int i = 0; i < count; ++i) {
    LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
    sessions.push_back(std::move(s));
  }
  return sessions;
}

}  // namespace

struct ApiServer::Impl {
  Impl(Store& s, const Program& p, const Clock& c, ServerOptions o)
      : store(s), program(p), clock(c), opts(std::move(o)) {}

  void PurgeLoop();

  Store& store;
  const Program& program;
  const Clock& clock;
  const ServerOptions opts;
  Metrics metrics;
  std::unique_ptr<CommandExecutor> executor;
  std::unique_ptr<ReadPool> readers;
  std::unique_ptr<ServiceEnv> env;
  std::unique_ptr<RequestPipeline> pipeline;
  std::unique_ptr<FrontDoor> front;
  std::atomic<bool> draining{false};

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread purger;
  std::unique_ptr<CouponBatchWorker> batches;
  std::unique_ptr<WebhookWorker> webhook;
  std::unique_ptr<EventHookWorker> event_hooks;
  std::unique_ptr<ProgramWatch> program_watch;
  std::unique_ptr<JobMetrics> job_metrics;
};

void ApiServer::Impl::PurgeLoop() {
  std::unique_lock<std::mutex> lock(mu);
  while (!cv.wait_for(lock, kPurgeInterval, [this] { return stopping; })) {
    lock.unlock();
    Result<int64_t> purged = PurgeExpiredIdempotency(*env);
    if (!purged.ok()) {
      spdlog::warn("idempotency purge failed: {}", purged.status().ToString());
    } else if (*purged > 0) {
      spdlog::info("purged {} expired idempotency records", *purged);
    }
    lock.lock();
  }
}

ApiServer::ApiServer(Store& store, const Program& program, const Clock& clock, ServerOptions opts)
    : impl_(std::make_unique<Impl>(store, program, clock, std::move(opts))) {}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start() {
  Impl& m = *impl_;
  if (m.front) return Status(Code::kInvalidState, "server already started");
  LOYALTY_RETURN_IF_ERROR(CheckOptions(m.opts));
  LOYALTY_ASSIGN_OR_RETURN(auto writers, OpenSessions(m.store, m.opts.writer_sessions));
  LOYALTY_ASSIGN_OR_RETURN(auto readers, OpenSessions(m.store, m.opts.reader_sessions));
  m.executor = std::make_unique<CommandExecutor>(std::move(writers), ExecutorOptions{});
  m.readers = std::make_unique<ReadPool>(std::move(readers));
  m.env = std::make_unique<ServiceEnv>(ServiceEnv{
      m.store, m.program, m.clock, *m.executor, *m.readers, m.metrics, &SystemRandom::Instance()});
  m.batches = std::make_unique<CouponBatchWorker>(*m.env);
  m.env->batches = m.batches.get();
  if (m.opts.program_version.version > 0) {
    m.program_watch =
        std::make_unique<ProgramWatch>(m.opts.program_version, kProgramCheckIntervalUs);
    m.env->program_watch = m.program_watch.get();
  }
  m.job_metrics = std::make_unique<JobMetrics>(kJobMetricsCacheUs);
  m.env->job_metrics = m.job_metrics.get();
  LOYALTY_RETURN_IF_ERROR(m.batches->Start());
  if (m.opts.webhook.enabled()) {
    m.webhook = std::make_unique<WebhookWorker>(*m.env, m.opts.webhook);
    m.env->webhook = m.webhook.get();
    LOYALTY_RETURN_IF_ERROR(m.webhook->Start());
  }
  if (m.opts.event_hooks.enabled) {
    m.event_hooks = std::make_unique<EventHookWorker>(*m.env, m.opts.event_hooks);
    m.env->event_hooks = m.event_hooks.get();
    LOYALTY_RETURN_IF_ERROR(m.event_hooks->Start());
  }
  m.pipeline = std::make_unique<RequestPipeline>(*m.env, m.opts.json_logs);
  m.env->draining = &m.draining;
  m.front = std::make_unique<FrontDoor>(FrontOptionsOf(m.opts), [&m](const FrontRequest& request) {
    return m.pipeline->Handle(request);
  });
  m.env->extra_metrics = [&m] { return RenderFrontStats(m.front->Stats()); };
  Status started = m.front->Start();
  if (!started.ok()) {
    m.front.reset();
    return started;
  }
  m.stopping = false;
  m.purger = std::thread([&m] { m.PurgeLoop(); });
  spdlog::info("loyalty API listening on {}:{} ({} workers, {} connections at most, {})",
               m.opts.host, m.front->port(), m.opts.threads, m.opts.max_connections,
               m.store.Describe());
  return Status::Ok();
}

int ApiServer::port() const {
  LOYALTY_CHECK(impl_->front != nullptr);
  return impl_->front->port();
}

void ApiServer::BeginDrain() {
  Impl& m = *impl_;
  m.draining.store(true);
  if (m.front) m.front->BeginDrain();
}

CommandExecutor& ApiServer::executor() {
  LOYALTY_CHECK(impl_->executor != nullptr);
  return *impl_->executor;
}

void ApiServer::Stop() {
  Impl& m = *impl_;
  if (m.front) {
    m.draining.store(true);
    m.front->Stop(std::chrono::milliseconds(m.opts.drain_grace_ms));  // requests in flight finish
    m.env->extra_metrics = nullptr;
    m.front.reset();
  }
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.stopping = true;
  }
  m.cv.notify_all();
  if (m.purger.joinable()) m.purger.join();
  m.pipeline.reset();
  if (m.webhook) m.webhook->Stop();
  m.webhook.reset();
  if (m.event_hooks) m.event_hooks->Stop();
  m.event_hooks.reset();
  if (m.batches) m.batches->Stop();
  m.batches.reset();
  m.env.reset();
  m.executor.reset();  // drains the queue
  m.readers.reset();
}

}  // namespace loyalty
