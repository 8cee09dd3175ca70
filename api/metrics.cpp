#include "api/metrics.h"

#include <sstream>

namespace loyalty {
namespace {

// Label values: backslash, double quote and newline escaped.
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// RFC 9110's methods plus PATCH keep their name; any other token a client sends (methods are
// case-sensitive: "get" too) is counted as "other", so no request can add a series.
const std::string& MethodLabel(const std::string& method) {
  static const std::string kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  static const std::string kOther = "other";
  for (const std::string& known : kKnown) {
    if (method == known) return known;
  }
  return kOther;
}

std::string Labels(const std::string& route, const std::string& method) {
  return "route=\"" + Escape(route) + "\",method=\"" + Escape(method) + "\"";
}

std::string Number(double v) {
  std::ostringstream out;
  out.precision(9);
  out << v;
  return out.str();
}

void RenderExecutor(std::ostringstream& out, const ExecutorStats& s) {
  const std::vector<int>& bounds = CommandExecutor::BatchBucketBounds();
  out << "# HELP loyalty_commit_batch_size Commands per committed transaction.\n"
      << "# TYPE loyalty_commit_batch_size histogram\n";
  int64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size() && i < s.batch_size_buckets.size(); ++i) {
    cumulative += s.batch_size_buckets[i];
    out << "loyalty_commit_batch_size_bucket{le=\"" << bounds[i] << "\"} " << cumulative << "\n";
  }
  for (size_t i = bounds.size(); i < s.batch_size_buckets.size(); ++i) {
    cumulative += s.batch_size_buckets[i];
  }
  out << "loyalty_commit_batch_size_bucket{le=\"+Inf\"} " << cumulative << "\n"
      << "loyalty_commit_batch_size_sum " << s.commands << "\n"
      << "loyalty_commit_batch_size_count " << cumulative << "\n";
  out << "# HELP loyalty_commits_total Transactions committed by the executor.\n"
      << "# TYPE loyalty_commits_total counter\n"
      << "loyalty_commits_total " << s.commits << "\n"
      << "# HELP loyalty_commands_total Commands run by the executor.\n"
      << "# TYPE loyalty_commands_total counter\n"
      << "loyalty_commands_total " << s.commands << "\n"
      << "# HELP loyalty_commit_failures_total Transactions whose commit failed.\n"
      << "# TYPE loyalty_commit_failures_total counter\n"
      << "loyalty_commit_failures_total " << s.failed_commits << "\n"
      << "# HELP loyalty_commit_retries_total Batches re-run after a deadlock or lock timeout.\n"
      << "# TYPE loyalty_commit_retries_total counter\n"
      << "loyalty_commit_retries_total " << s.retries << "\n";
}

}  // namespace

const std::vector<double>& Metrics::LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5};
  return kBuckets;
}

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                             double seconds) {
  const std::vector<double>& bounds = LatencyBuckets();
  size_t bucket = 0;
  while (bucket < bounds.size() && seconds > bounds[bucket]) ++bucket;
  const std::string& label = MethodLabel(method);
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, label, status}];
  Histogram& h = latency_[{route, label}];
  if (h.buckets.empty()) h.buckets.assign(bounds.size() + 1, 0);
  ++h.buckets[bucket];
  h.sum += seconds;
  ++h.count;
}

std::string Metrics::Render(const ExecutorStats& executor) const {
  std::ostringstream out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out << "# HELP loyalty_http_requests_total HTTP requests answered.\n"
        << "# TYPE loyalty_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status] = key;
      out << "loyalty_http_requests_total{" << Labels(route, method) << ",status=\"" << status
          << "\"} " << count << "\n";
    }
    out << "# HELP loyalty_http_request_duration_seconds Time from request to response.\n"
        << "# TYPE loyalty_http_request_duration_seconds histogram\n";
    const std::vector<double>& bounds = LatencyBuckets();
    for (const auto& [key, h] : latency_) {
      const std::string labels = Labels(key.first, key.second);
      int64_t cumulative = 0;
      for (size_t i = 0; i < bounds.size(); ++i) {
        cumulative += h.buckets[i];
        out << "loyalty_http_request_duration_seconds_bucket{" << labels << ",le=\""
            << Number(bounds[i]) << "\"} " << cumulative << "\n";
      }
      out << "loyalty_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
          << h.count << "\n"
          << "loyalty_http_request_duration_seconds_sum{" << labels << "} " << Number(h.sum) << "\n"
          << "loyalty_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
    }
  }
  RenderExecutor(out, executor);
  out << "# HELP loyalty_webhook_delivered_total Messages the webhook accepted (2xx).\n"
      << "# TYPE loyalty_webhook_delivered_total counter\n"
      << "loyalty_webhook_delivered_total " << webhook_delivered_.load() << "\n"
      << "# HELP loyalty_webhook_failed_total Webhook deliveries that failed (non-2xx, "
         "connection error, timeout).\n"
      << "# TYPE loyalty_webhook_failed_total counter\n"
      << "loyalty_webhook_failed_total " << webhook_failed_.load() << "\n"
      << "# HELP loyalty_webhook_dead_lettered_total Messages moved to the dead-letter state "
         "after the last attempt.\n"
      << "# TYPE loyalty_webhook_dead_lettered_total counter\n"
      << "loyalty_webhook_dead_lettered_total " << webhook_dead_lettered_.load() << "\n";
  return out.str();
}

}  // namespace loyalty
