#include "tests/front/front_probe.h"

#include <poll.h>

#include <algorithm>
#include <cstring>
#include <thread>

namespace front {
namespace {

// Waits until `link` is ready for `io` (kWantRead / kWantWrite) or the deadline passes.
bool WaitFor(const Link& link, Link::Io io, int64_t deadline_ms) {
  const int64_t left = deadline_ms - NowMs();
  if (left <= 0) return false;
  pollfd p{link.fd(), static_cast<short>(io == Link::Io::kWantWrite ? POLLOUT : POLLIN), 0};
  return poll(&p, 1, static_cast<int>(left)) > 0;
}

std::string Describe(const char* what, const Link& link) {
  std::string s = what;
  if (link.errno_value() != 0) s.append(": ").append(std::strerror(link.errno_value()));
  return s;
}

}  // namespace

RoundTrip Exchange(const Target& target, SSL_CTX* tls, const std::string& request,
                   int64_t timeout_ms) {
  RoundTrip out;
  const int64_t start = NowMs();
  const int64_t deadline = start + timeout_ms;
  auto fail = [&](std::string why) {
    out.latency_ms = NowMs() - start;
    out.error = std::move(why);
    return out;
  };
  Link link;
  if (!link.Open(target, tls)) return fail(Describe("socket/connect failed", link));
  for (Link::Io io = Link::Io::kWantWrite; (io = link.Establish()) != Link::Io::kDone;) {
    if (io == Link::Io::kReset || io == Link::Io::kClosed) {
      return fail(Describe("connect/handshake failed", link));
    }
    if (!WaitFor(link, io, deadline)) return fail("timed out connecting");
  }
  for (size_t off = 0; off < request.size();) {
    size_t sent = 0;
    const Link::Io io = link.Send(request.data() + off, request.size() - off, &sent);
    off += sent;
    if (io == Link::Io::kReset || io == Link::Io::kClosed) {
      return fail(Describe("send failed", link));
    }
    if (io != Link::Io::kDone && !WaitFor(link, io, deadline)) return fail("timed out sending");
  }
  ReplyReader reader;
  std::string chunk;
  for (;;) {
    chunk.clear();
    const Link::Io io = link.Receive(&chunk);
    ReplyReader::State s = reader.Feed(chunk);
    if (io == Link::Io::kClosed && s == ReplyReader::State::kIncomplete) s = reader.FinishAtEof();
    if (s == ReplyReader::State::kMalformed) return fail("malformed answer");
    if (s == ReplyReader::State::kDone) break;
    if (io == Link::Io::kReset) return fail(Describe("reset before the answer", link));
    if (io == Link::Io::kClosed) return fail("closed before the answer");
    if (!WaitFor(link, Link::Io::kWantRead, deadline)) return fail("timed out waiting");
  }
  out.answered = true;
  out.reply = reader.reply();
  out.latency_ms = NowMs() - start;
  return out;
}

std::vector<ProbeSample> RunProbe(const ProbeOptions& o) {
  std::vector<ProbeSample> samples;
  const int64_t start = NowMs();
  const int64_t gap_ms = o.requests > 0 ? o.spread_ms / o.requests : 0;
  for (int i = 0; i < o.requests; ++i) {
    const int64_t due = start + i * gap_ms;
    if (o.stop_at_ms > 0 && std::max(due, NowMs()) > o.stop_at_ms) break;
    if (NowMs() < due) std::this_thread::sleep_for(std::chrono::milliseconds(due - NowMs()));
    ProbeSample s;
    s.order = !o.api_key.empty() && !o.customers.empty() && i % 2 == 1;
    const std::string request =
        s.order ? OrderRequest(o.api_key, o.run_id + "-p" + std::to_string(i),
                               o.customers[static_cast<size_t>(i / 2) % o.customers.size()])
                : GetRequest("/healthz");
    s.trip = Exchange(o.target, o.tls, request, o.timeout_ms);
    const int status = s.trip.reply.status;
    const bool good =
        (status >= 200 && status < 300) || (status == 503 && s.trip.reply.retry_after);
    s.ok = s.trip.answered && good && s.trip.latency_ms <= o.max_latency_ms;
    samples.push_back(std::move(s));
  }
  return samples;
}

std::string CreateCustomers(const ProbeOptions& o) {
  for (const std::string& id : o.customers) {
    const RoundTrip t = Exchange(o.target, o.tls, PutCustomerRequest(o.api_key, id), o.timeout_ms);
    if (!t.answered) return "PUT /v1/customers/" + id + ": " + t.error;
    if (t.reply.status < 200 || t.reply.status >= 300) {
      return "PUT /v1/customers/" + id + " answered " + std::to_string(t.reply.status);
    }
  }
  return "";
}

}  // namespace front
