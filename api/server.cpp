#include "api/server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
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
#include "api/idempotency.h"
#include "api/metrics.h"
#include "api/request_pipeline.h"
#include "api/service.h"
#include "api/webhook_worker.h"

namespace loyalty {
namespace {

constexpr int kMinPoolThreads = 16;
constexpr auto kPurgeInterval = std::chrono::minutes(10);

class PipelineHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit PipelineHandler(RequestPipeline& pipeline) : pipeline_(pipeline) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    pipeline_.Handle(request, response);
  }

 private:
  RequestPipeline& pipeline_;
};

class PipelineFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit PipelineFactory(RequestPipeline& pipeline) : pipeline_(pipeline) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new PipelineHandler(pipeline_);
  }

 private:
  RequestPipeline& pipeline_;
};

Status CheckOptions(const ServerOptions& o) {
  if (o.port < 0 || o.port > 65535) return Status::Invalid("port", "must be 0..65535");
  if (o.threads < 1) return Status::Invalid("threads", "must be at least 1");
  if (o.max_queued < 1) return Status::Invalid("max_queued", "must be at least 1");
  if (o.keep_alive_max_requests < 0) {
    return Status::Invalid("keep_alive_max_requests", "must be 0 (unlimited) or more");
  }
  if (o.writer_sessions < 1) return Status::Invalid("writer_sessions", "must be at least 1");
  if (o.reader_sessions < 1) return Status::Invalid("reader_sessions", "must be at least 1");
  if (o.webhook.enabled()) LOYALTY_RETURN_IF_ERROR(ValidateWebhookOptions(o.webhook));
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
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> http;
  int port = 0;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread purger;
  std::unique_ptr<CouponBatchWorker> batches;
  std::unique_ptr<WebhookWorker> webhook;
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
  if (m.http) return Status(Code::kInvalidState, "server already started");
  LOYALTY_RETURN_IF_ERROR(CheckOptions(m.opts));
  LOYALTY_ASSIGN_OR_RETURN(auto writers, OpenSessions(m.store, m.opts.writer_sessions));
  LOYALTY_ASSIGN_OR_RETURN(auto readers, OpenSessions(m.store, m.opts.reader_sessions));
  m.executor = std::make_unique<CommandExecutor>(std::move(writers), ExecutorOptions{});
  m.readers = std::make_unique<ReadPool>(std::move(readers));
  m.env = std::make_unique<ServiceEnv>(ServiceEnv{
      m.store, m.program, m.clock, *m.executor, *m.readers, m.metrics, &SystemRandom::Instance()});
  m.batches = std::make_unique<CouponBatchWorker>(*m.env);
  m.env->batches = m.batches.get();
  LOYALTY_RETURN_IF_ERROR(m.batches->Start());
  if (m.opts.webhook.enabled()) {
    m.webhook = std::make_unique<WebhookWorker>(*m.env, m.opts.webhook);
    m.env->webhook = m.webhook.get();
    LOYALTY_RETURN_IF_ERROR(m.webhook->Start());
  }
  m.pipeline = std::make_unique<RequestPipeline>(*m.env, m.opts.json_logs);
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(m.opts.host, static_cast<Poco::UInt16>(m.opts.port)),
                /*reuseAddress=*/true, /*reusePort=*/false);  // a busy port must fail
    socket.listen(std::max(64, m.opts.max_queued));
    auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(m.opts.keep_alive_max_requests);
    params->setMaxQueued(m.opts.max_queued);
    params->setMaxThreads(m.opts.threads);
    m.pool = std::make_unique<Poco::ThreadPool>(std::min(kMinPoolThreads, m.opts.threads),
                                                m.opts.threads);
    m.http = std::make_unique<Poco::Net::HTTPServer>(new PipelineFactory(*m.pipeline), *m.pool,
                                                     socket, params);
    m.http->start();
    m.port = socket.address().port();
  } catch (const Poco::Exception& e) {
    m.http.reset();
    return Status(Code::kUnavailable, "cannot serve on " + m.opts.host + ":" +
                                          std::to_string(m.opts.port) + ": " + e.displayText());
  }
  m.stopping = false;
  m.purger = std::thread([&m] { m.PurgeLoop(); });
  spdlog::info("loyalty API listening on {}:{} ({} threads, {})", m.opts.host, m.port,
               m.opts.threads, m.store.Describe());
  return Status::Ok();
}

int ApiServer::port() const {
  LOYALTY_CHECK(impl_->http != nullptr);
  return impl_->port;
}

CommandExecutor& ApiServer::executor() {
  LOYALTY_CHECK(impl_->executor != nullptr);
  return *impl_->executor;
}

void ApiServer::Stop() {
  Impl& m = *impl_;
  if (m.http) {
    m.http->stopAll(false);  // waits for the requests in flight, closes idle keep-alives
    m.pool->joinAll();
    m.http.reset();
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
  if (m.batches) m.batches->Stop();
  m.batches.reset();
  m.env.reset();
  m.executor.reset();  // drains the queue
  m.readers.reset();
  m.pool.reset();
}

}  // namespace loyalty
