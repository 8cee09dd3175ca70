// front_attack: holds N hostile (or merely idle) connections against an HTTP server while a
// normal client measures what it still gets; see --help. One JSON summary line on stdout; exit
// 0 when every assertion held, 1 when one failed, 2 on a bad command line or a failed set-up.
//
// Used by scripts/front_test.sh (short, in CI) and scripts/bench_front.sh (the full goals).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/front/front_probe.h"
#include "tests/front/front_swarm.h"

namespace front {
namespace {

constexpr const char* kUsage = R"(usage: front_attack --mode MODE --target IP:PORT [options]
  --mode slow-headers|slow-body|silent|idle-keepalive|overload
  --connections N        attacking connections, held for the whole run (default 100)
  --duration-s S         the attack, after every attacker connected once (default 5)
  --tls                  speak TLS (every mode but silent, and the probe)
  --api-key K            a checkout key: probe orders, slow-body and overload send it
  --probe-requests M     normal-client requests during the attack, each on a new connection,
                         alternating GET /healthz and POST /v1/orders (default 0)
  --max-latency-ms L     each probe request answered 2xx, or 503 with Retry-After, within L
                         (default 1000)
  --probe-timeout-ms T   a probe request is abandoned after T (default 2 L)
  --expect-close-ms X    the server closes every attacker within X of its connect
  --expect-answer-before-close   every connection the server closed was answered first (408)
  --server-pid P         report the server's memory (/proc/P/status)
  --customers C          customers created for the orders (default 4)
  --open-spread-ms MS    spread the first connects over MS (default 0: all at once)
  --ramp-s R             at most this long to get every attacker connected (default 15)
  --drain-s D            overload: after the attack, wait this long for answers (default 5)
Assertions: every probe request ok; no 503 without Retry-After; overload: no request left
without an answer (reset, closed, or still waiting after the drain).
)";

struct Options {
  Mode mode = Mode::kSilent;
  bool mode_set = false;
  Target target;
  int connections = 100;
  int64_t duration_ms = 5000;
  bool tls = false;
  std::string api_key;
  int probe_requests = 0;
  int64_t max_latency_ms = 1000;
  int64_t probe_timeout_ms = 0;
  int64_t expect_close_ms = 0;
  bool expect_answer_before_close = false;
  int server_pid = 0;
  int customers = 4;
  int64_t open_spread_ms = 0;
  int64_t ramp_ms = 15000;
  int64_t drain_ms = 5000;
};

// Parses the command line; "" when fine, else what is wrong.
std::string ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tls") {
      o->tls = true;
      continue;
    }
    if (a == "--expect-answer-before-close") {
      o->expect_answer_before_close = true;
      continue;
    }
    if (i + 1 >= argc) return a + " needs a value";
    const std::string v = argv[++i];
    try {
      if (a == "--mode") {
        if (!ParseMode(v, &o->mode)) return "unknown mode " + v;
        o->mode_set = true;
      } else if (a == "--target") {
        if (!ParseTarget(v, &o->target)) return "--target must be IPv4:PORT, not " + v;
      } else if (a == "--connections") {
        o->connections = std::stoi(v);
      } else if (a == "--duration-s") {
        o->duration_ms = static_cast<int64_t>(std::stod(v) * 1000);
      } else if (a == "--api-key") {
        o->api_key = v;
      } else if (a == "--probe-requests") {
        o->probe_requests = std::stoi(v);
      } else if (a == "--max-latency-ms") {
        o->max_latency_ms = std::stoll(v);
      } else if (a == "--probe-timeout-ms") {
        o->probe_timeout_ms = std::stoll(v);
      } else if (a == "--expect-close-ms") {
        o->expect_close_ms = std::stoll(v);
      } else if (a == "--server-pid") {
        o->server_pid = std::stoi(v);
      } else if (a == "--customers") {
        o->customers = std::stoi(v);
      } else if (a == "--open-spread-ms") {
        o->open_spread_ms = std::stoll(v);
      } else if (a == "--ramp-s") {
        o->ramp_ms = static_cast<int64_t>(std::stod(v) * 1000);
      } else if (a == "--drain-s") {
        o->drain_ms = static_cast<int64_t>(std::stod(v) * 1000);
      } else {
        return "unknown option " + a;
      }
    } catch (const std::exception&) {
      return "bad value for " + a + ": " + v;
    }
  }
  if (!o->mode_set) return "--mode is required";
  if (o->target.text.empty()) return "--target is required";
  if (o->connections < 0 || o->probe_requests < 0 || o->customers < 1) return "negative count";
  const bool needs_key = o->mode == Mode::kOverload || o->mode == Mode::kSlowBody;
  if (needs_key && o->api_key.empty()) return "--api-key is required for this mode";
  if (o->probe_timeout_ms <= 0) o->probe_timeout_ms = 2 * o->max_latency_ms;
  return "";
}

// Raises the open-file limit to the hard limit: each attacker is a descriptor.
int64_t RaiseFileLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return -1;
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  getrlimit(RLIMIT_NOFILE, &r);
  return static_cast<int64_t>(r.rlim_cur);
}

// A field of /proc/PID/status in kB ("VmRSS"), or -1.
int64_t ProcStatusKb(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

int64_t Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(p * static_cast<double>(v.size()) + 0.999999);
  return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  return out + "\"";
}

std::string CountsJson(const std::map<int, int64_t>& counts) {
  std::string out = "{";
  for (const auto& [status, n] : counts) {
    if (out.size() > 1) out += ",";
    out += "\"" + std::to_string(status) + "\":" + std::to_string(n);
  }
  return out + "}";
}

struct ProbeSummary {
  std::string json;
  int64_t failed = 0;
};

ProbeSummary SummarizeProbe(const Options& o, const std::vector<ProbeSample>& samples) {
  std::vector<int64_t> all, orders, health;
  std::map<int, int64_t> by_status;
  std::vector<std::string> failures;
  ProbeSummary s;
  for (const ProbeSample& p : samples) {
    all.push_back(p.trip.latency_ms);
    (p.order ? orders : health).push_back(p.trip.latency_ms);
    ++by_status[p.trip.answered ? p.trip.reply.status : 0];
    if (p.ok) continue;
    ++s.failed;
    if (failures.size() < 5) {
      std::string why = p.trip.answered ? "status " + std::to_string(p.trip.reply.status) +
                                              (p.trip.reply.retry_after ? "" : " (no Retry-After)")
                                        : p.trip.error;
      failures.push_back(std::string(p.order ? "order" : "healthz") + " after " +
                         std::to_string(p.trip.latency_ms) + " ms: " + why);
    }
  }
  s.failed += o.probe_requests - static_cast<int64_t>(samples.size());  // never sent
  std::ostringstream j;
  j << "{\"requests\":" << o.probe_requests << ",\"sent\":" << samples.size()
    << ",\"failed\":" << s.failed << ",\"max_latency_ms\":" << o.max_latency_ms
    << ",\"p50_ms\":" << Percentile(all, 0.5) << ",\"p99_ms\":" << Percentile(all, 0.99)
    << ",\"max_ms\":" << Percentile(all, 1.0) << ",\"orders_p50_ms\":" << Percentile(orders, 0.5)
    << ",\"orders_p99_ms\":" << Percentile(orders, 0.99)
    << ",\"healthz_p99_ms\":" << Percentile(health, 0.99)
    << ",\"by_status\":" << CountsJson(by_status) << ",\"failures\":[";
  for (size_t i = 0; i < failures.size(); ++i) j << (i ? "," : "") << Quoted(failures[i]);
  j << "]}";
  s.json = j.str();
  return s;
}

std::string SwarmJson(const SwarmStats& s) {
  std::ostringstream j;
  j << "{\"connects\":" << s.connects << ",\"open_max\":" << s.open_max
    << ",\"open_at_end\":" << s.open_at_end << ",\"socket_failures\":" << s.socket_failures
    << ",\"connect_failures\":" << s.connect_failures
    << ",\"handshake_failures\":" << s.handshake_failures
    << ",\"connect_max_ms\":" << s.connect_max_ms << ",\"closed_by_server\":" << s.closed_by_server
    << ",\"reset_by_server\":" << s.reset_by_server
    << ",\"closed_without_answer\":" << s.closed_without_answer
    << ",\"lifetime_max_ms\":" << s.lifetime_max_ms << ",\"overdue_at_end\":" << s.overdue_at_end
    << ",\"answers\":" << CountsJson(s.answers)
    << ",\"shed_without_retry_after\":" << s.shed_without_retry_after
    << ",\"requests\":" << s.requests << ",\"unanswered\":" << s.unanswered
    << ",\"pending_at_end\":" << s.pending_at_end << ",\"malformed\":" << s.malformed
    << ",\"bytes_sent\":" << s.bytes_sent << "}";
  return j.str();
}

// What failed, one phrase each; empty when every assertion held.
std::vector<std::string> Verdict(const Options& o, const SwarmStats& s, const ProbeSummary& p) {
  std::vector<std::string> failed;
  if (p.failed > 0) failed.push_back(std::to_string(p.failed) + " probe requests not ok");
  if (s.shed_without_retry_after > 0) failed.push_back("503 without Retry-After");
  if (o.mode == Mode::kOverload) {
    const int64_t lost = s.unanswered + s.pending_at_end + s.malformed + s.connect_failures;
    if (lost > 0) failed.push_back(std::to_string(lost) + " overload requests without an answer");
  }
  if (o.expect_close_ms > 0) {
    if (s.overdue_at_end > 0 || s.lifetime_max_ms > o.expect_close_ms) {
      failed.push_back("attackers not closed within " + std::to_string(o.expect_close_ms) + " ms");
    }
    if (s.closed_by_server + s.reset_by_server == 0) failed.push_back("no attacker was closed");
  }
  if (o.expect_answer_before_close && s.closed_without_answer > 0) {
    failed.push_back(std::to_string(s.closed_without_answer) + " closed without an answer");
  }
  return failed;
}

std::string NewRunId() {  // makes this run's order and customer ids new
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return "fa-" + std::to_string(ms.count()) + "-" + std::to_string(getpid());
}

ProbeOptions ProbeOptionsFor(const Options& o, SSL_CTX* tls, const std::string& run_id) {
  ProbeOptions po;
  po.target = o.target;
  po.tls = tls;
  po.api_key = o.api_key;
  po.run_id = run_id;
  po.requests = o.probe_requests;
  po.spread_ms = o.duration_ms;
  po.max_latency_ms = o.max_latency_ms;
  po.timeout_ms = o.probe_timeout_ms;
  if (!o.api_key.empty()) {
    for (int i = 0; i < o.customers; ++i) po.customers.push_back(run_id + "-c" + std::to_string(i));
  }
  return po;
}

SwarmOptions SwarmOptionsFor(const Options& o, const ProbeOptions& po) {
  SwarmOptions so;
  so.mode = o.mode;
  so.connections = o.connections;
  so.target = o.target;
  so.tls = po.tls;
  so.api_key = o.api_key;
  so.customers = po.customers;
  so.run_id = po.run_id;
  so.open_spread_ms = o.open_spread_ms;
  return so;
}

struct Outcome {
  int64_t ramp_ms = 0;
  int64_t ready = 0;
  int64_t rss_max_kb = -1;
  SwarmStats stats;
  std::vector<ProbeSample> samples;
};

// Ramp-up, then the attack with the probe beside it until both are done, then (overload) the
// drain of the answers still due.
Outcome RunAttack(const Options& o, Swarm& swarm, ProbeOptions po) {
  Outcome out;
  const int64_t ramp_start = NowMs();
  swarm.RunUntil(
      [&] { return swarm.ready() >= o.connections || NowMs() - ramp_start > o.ramp_ms; });
  out.ramp_ms = NowMs() - ramp_start;
  std::atomic<bool> probe_done{false};
  const int64_t attack_end = NowMs() + o.duration_ms;
  po.stop_at_ms = attack_end + o.probe_timeout_ms;
  std::thread probe([&] {
    out.samples = RunProbe(po);
    probe_done = true;
  });
  int64_t next_sample_ms = 0;
  swarm.RunUntil([&] {
    const int64_t now = NowMs();
    if (o.server_pid > 0 && now >= next_sample_ms) {
      out.rss_max_kb = std::max(out.rss_max_kb, ProcStatusKb(o.server_pid, "VmRSS"));
      next_sample_ms = now + 500;
    }
    return now >= attack_end && probe_done;
  });
  probe.join();
  swarm.StopSending();
  if (o.mode == Mode::kOverload) {
    const int64_t drain_end = NowMs() + o.drain_ms;
    swarm.RunUntil([&] { return swarm.outstanding() == 0 || NowMs() >= drain_end; });
  }
  out.ready = swarm.ready();
  out.stats = swarm.Finish(o.expect_close_ms);
  return out;
}

std::string SummaryJson(const Options& o, const Outcome& r, const ProbeSummary& probe,
                        const std::vector<std::string>& failed) {
  std::ostringstream j;
  j << "{\"mode\":" << Quoted(ModeName(o.mode)) << ",\"target\":" << Quoted(o.target.text)
    << ",\"tls\":" << (o.tls ? "true" : "false") << ",\"connections\":" << o.connections
    << ",\"ready\":" << r.ready << ",\"ramp_ms\":" << r.ramp_ms
    << ",\"duration_ms\":" << o.duration_ms << ",\"attack\":" << SwarmJson(r.stats)
    << ",\"probe\":" << probe.json;
  if (o.server_pid > 0) {
    j << ",\"server_rss_kb\":" << ProcStatusKb(o.server_pid, "VmRSS")
      << ",\"server_rss_max_kb\":" << r.rss_max_kb
      << ",\"server_hwm_kb\":" << ProcStatusKb(o.server_pid, "VmHWM");
  }
  j << ",\"ok\":" << (failed.empty() ? "true" : "false") << ",\"failed\":[";
  for (size_t i = 0; i < failed.size(); ++i) j << (i ? "," : "") << Quoted(failed[i]);
  j << "]}";
  return j.str();
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::cout << kUsage;
      return 0;
    }
  }
  if (const std::string bad = ParseArgs(argc, argv, &o); !bad.empty()) {
    std::cerr << "front_attack: " << bad << "\n" << kUsage;
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const int64_t file_limit = RaiseFileLimit();
  if (file_limit >= 0 && file_limit < o.connections + 64) {
    std::cerr << "front_attack: only " << file_limit << " descriptors; attackers will wait\n";
  }
  SSL_CTX* tls = o.tls ? MakeClientTlsContext() : nullptr;
  const ProbeOptions po = ProbeOptionsFor(o, tls, NewRunId());
  if (!po.customers.empty()) {
    ProbeOptions setup = po;
    setup.timeout_ms = 10000;
    if (const std::string err = CreateCustomers(setup); !err.empty()) {
      std::cerr << "front_attack: set-up failed: " << err << "\n";
      return 2;
    }
  }
  Swarm swarm(SwarmOptionsFor(o, po));
  if (!swarm.Start()) {
    std::cerr << "front_attack: epoll_create1 failed\n";
    return 2;
  }
  const Outcome outcome = RunAttack(o, swarm, po);
  const ProbeSummary probe = SummarizeProbe(o, outcome.samples);
  const std::vector<std::string> failed = Verdict(o, outcome.stats, probe);
  std::cout << SummaryJson(o, outcome, probe, failed) << std::endl;
  if (tls != nullptr) SSL_CTX_free(tls);
  return failed.empty() ? 0 : 1;
}

}  // namespace
}  // namespace front

int main(int argc, char** argv) { return front::Main(argc, argv); }
