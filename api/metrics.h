// Prometheus text exposition for GET /metrics: request counters and latency histograms labelled
// by route TEMPLATE (never the raw path, so ids cannot blow up the label space) and by method
// (GET HEAD POST PUT PATCH DELETE OPTIONS, anything else "other"), and the executor's commit
// statistics, and the webhook worker's delivery counters. Thread-safe. The route needs an API
// key of role metrics or admin (api/routes.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/executor.h"

namespace loyalty {

class Metrics {
 public:
  // Upper bounds of the latency buckets in seconds: 0.0005 .. 5.
  static const std::vector<double>& LatencyBuckets();

  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds);
  std::string Render(const ExecutorStats& executor) const;

  // The webhook worker (api/webhook_worker.h): messages accepted (2xx), delivery attempts that
  // failed (non-2xx, connection error, timeout), messages moved to the dead-letter state.
  void CountWebhookDelivered() { webhook_delivered_.fetch_add(1); }
  void CountWebhookFailed() { webhook_failed_.fetch_add(1); }
  void CountWebhookDeadLettered() { webhook_dead_lettered_.fetch_add(1); }

 private:
  struct Histogram {
    std::vector<int64_t> buckets;  // per bucket (not cumulative); one more for +Inf
    double sum = 0;
    int64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::atomic<int64_t> webhook_delivered_{0};
  std::atomic<int64_t> webhook_failed_{0};
  std::atomic<int64_t> webhook_dead_lettered_{0};
};

}  // namespace loyalty
