// Prometheus text exposition for GET /metrics: request counters and latency histograms labelled
// by route TEMPLATE (never the raw path, so ids cannot blow up the label space), and the
// executor's commit statistics. Thread-safe.
#pragma once

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

 private:
  struct Histogram {
    std::vector<int64_t> buckets;  // per bucket (not cumulative); one more for +Inf
    double sum = 0;
    int64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

}  // namespace loyalty
