#include "tests/front/front_swarm.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "tests/front/front_http.h"

namespace front {
namespace {

constexpr int64_t kTrickleGapMs = 1000;   // one byte a second
constexpr int64_t kRetryOpenMs = 200;     // after a failed socket or connect
constexpr int64_t kSlowBodyBytes = 4000;  // declared, never all sent
constexpr int kMaxEventsPerWait = 1024;
constexpr int64_t kTickGapMs = 10;  // the scan of every connection, at most this often

// Never finished: after the prefix the header value goes on one byte at a time.
constexpr std::string_view kSlowHeadPrefix =
    "GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: front_attack\r\nX-Slow: ";

std::string SlowBodyHead(const std::string& api_key) {
  return "POST /v1/orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + api_key +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(kSlowBodyBytes) +
         "\r\n\r\n";
}

uint64_t Tag(uint32_t index, uint32_t generation) {
  return (static_cast<uint64_t>(generation) << 32) | index;
}

}  // namespace

struct Swarm::Conn {
  Link link;
  uint32_t generation = 0;  // tells a stale epoll event of a closed socket from the new one
  enum class Phase { kWaiting, kConnecting, kRunning } phase = Phase::kWaiting;
  bool ever_established = false;
  int64_t reopen_at_ms = 0;
  int64_t opened_ms = 0;
  int64_t next_byte_ms = 0;  // slow modes
  size_t trickled = 0;       // slow modes: bytes of the never-ending part sent
  std::string out;           // bytes not yet taken by the socket
  ReplyReader reader;
  bool awaiting = false;      // a request was sent and its answer has not fully arrived
  bool answered_any = false;  // on this connection
  uint32_t events = 0;        // the epoll mask armed now
};

bool ParseMode(const std::string& text, Mode* out) {
  static const std::pair<const char*, Mode> kModes[] = {{"slow-headers", Mode::kSlowHeaders},
                                                        {"slow-body", Mode::kSlowBody},
                                                        {"silent", Mode::kSilent},
                                                        {"idle-keepalive", Mode::kIdleKeepAlive},
                                                        {"overload", Mode::kOverload}};
  for (const auto& [name, mode] : kModes) {
    if (text == name) {
      *out = mode;
      return true;
    }
  }
  return false;
}

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kSlowHeaders:
      return "slow-headers";
    case Mode::kSlowBody:
      return "slow-body";
    case Mode::kSilent:
      return "silent";
    case Mode::kIdleKeepAlive:
      return "idle-keepalive";
    case Mode::kOverload:
      return "overload";
  }
  return "?";
}

Swarm::Swarm(SwarmOptions o) : o_(std::move(o)) {
  if (o_.mode == Mode::kSilent) o_.tls = nullptr;  // silent means not even a TLS hello
}

Swarm::~Swarm() {
  conns_.clear();
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

bool Swarm::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return false;
  for (int i = 0; i < o_.connections; ++i) conns_.push_back(std::make_unique<Conn>());
  if (o_.open_spread_ms <= 0) {
    for (uint32_t i = 0; i < conns_.size(); ++i) Open(i);
    return true;
  }
  const int64_t now = NowMs();
  for (size_t i = 0; i < conns_.size(); ++i) {
    conns_[i]->reopen_at_ms =
        now + o_.open_spread_ms * static_cast<int64_t>(i) / static_cast<int64_t>(conns_.size());
  }
  return true;
}

void Swarm::Open(uint32_t i) {
  Conn& c = *conns_[i];
  const int64_t now = NowMs();
  if (!c.link.Open(o_.target, o_.tls)) {
    const int e = c.link.errno_value();
    ++(e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM ? stats_.socket_failures
                                                                 : stats_.connect_failures);
    c.phase = Conn::Phase::kWaiting;
    c.reopen_at_ms = now + kRetryOpenMs;
    return;
  }
  ++stats_.connects;
  stats_.open_max = std::max(stats_.open_max, ++open_);
  c.phase = Conn::Phase::kConnecting;
  c.opened_ms = now;
  c.events = EPOLLOUT;
  epoll_event ev{};
  ev.events = c.events;
  ev.data.u64 = Tag(i, c.generation);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.link.fd(), &ev);
}

void Swarm::Drop(uint32_t i, int64_t reopen_delay_ms) {
  Conn& c = *conns_[i];
  if (c.link.open()) --open_;
  c.link.Close();  // closing the socket also leaves the epoll set
  ++c.generation;
  c.phase = Conn::Phase::kWaiting;
  c.reopen_at_ms = NowMs() + reopen_delay_ms;
  c.out.clear();
  c.reader = ReplyReader{};
  c.awaiting = false;
  c.answered_any = false;
  c.trickled = 0;
  c.events = 0;
}

void Swarm::Arm(uint32_t i, uint32_t events) {
  Conn& c = *conns_[i];
  if (c.events == events) return;
  c.events = events;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = Tag(i, c.generation);
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.link.fd(), &ev);
}

void Swarm::RunUntil(const std::function<bool()>& done) {
  std::vector<epoll_event> events(kMaxEventsPerWait);
  int64_t last_tick_ms = 0;
  while (!done()) {
    const int n = epoll_wait(epoll_fd_, events.data(), kMaxEventsPerWait, kTickGapMs);
    for (int k = 0; k < n; ++k) {
      const uint32_t i = static_cast<uint32_t>(events[k].data.u64 & 0xffffffffu);
      const uint32_t generation = static_cast<uint32_t>(events[k].data.u64 >> 32);
      if (i < conns_.size() && conns_[i]->generation == generation) {
        OnEvent(i, events[k].events);
      }
    }
    if (const int64_t now = NowMs(); now - last_tick_ms >= kTickGapMs) {
      Tick(now);
      last_tick_ms = now;
    }
  }
}

void Swarm::OnEvent(uint32_t i, uint32_t events) {
  Conn& c = *conns_[i];
  if (c.phase == Conn::Phase::kConnecting) {
    const Link::Io io = c.link.Establish();
    if (io == Link::Io::kDone) {
      c.phase = Conn::Phase::kRunning;
      stats_.connect_max_ms = std::max(stats_.connect_max_ms, NowMs() - c.opened_ms);
      if (!c.ever_established) ++ready_;
      c.ever_established = true;
      OnEstablished(i);
    } else if (io == Link::Io::kWantRead || io == Link::Io::kWantWrite) {
      Arm(i, io == Link::Io::kWantRead ? EPOLLIN : EPOLLOUT);
    } else {
      ++(c.link.tcp_connected() ? stats_.handshake_failures : stats_.connect_failures);
      Drop(i, kRetryOpenMs);
    }
    return;
  }
  if (c.phase != Conn::Phase::kRunning) return;
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) ReadSide(i);
  if (c.phase == Conn::Phase::kRunning && (events & EPOLLOUT) != 0) Flush(i);
}

void Swarm::OnEstablished(uint32_t i) {
  Conn& c = *conns_[i];
  const int64_t now = NowMs();
  switch (o_.mode) {
    case Mode::kSlowHeaders:
      c.out.assign(kSlowHeadPrefix.substr(0, 1));
      c.trickled = 1;
      c.next_byte_ms = now + kTrickleGapMs;
      break;
    case Mode::kSlowBody:
      c.out = SlowBodyHead(o_.api_key) + "{";
      c.next_byte_ms = now + kTrickleGapMs;
      break;
    case Mode::kSilent:
      break;
    case Mode::kIdleKeepAlive:
      c.out = GetRequest("/healthz");
      c.awaiting = true;
      break;
    case Mode::kOverload:
      SendNextRequest(i);
      return;
  }
  Flush(i);
}

void Swarm::SendNextRequest(uint32_t i) {
  Conn& c = *conns_[i];
  if (stopping_) {
    Drop(i, 0);
    return;
  }
  const std::string order_id = o_.run_id + "-o" + std::to_string(order_seq_);
  const std::string& customer = o_.customers[static_cast<size_t>(order_seq_) % o_.customers.size()];
  ++order_seq_;
  c.out = OrderRequest(o_.api_key, order_id, customer);
  c.awaiting = true;
  ++stats_.requests;
  Flush(i);
}

void Swarm::Flush(uint32_t i) {
  Conn& c = *conns_[i];
  while (!c.out.empty()) {
    size_t sent = 0;
    const Link::Io io = c.link.Send(c.out.data(), c.out.size(), &sent);
    c.out.erase(0, sent);
    stats_.bytes_sent += static_cast<int64_t>(sent);
    if (io == Link::Io::kWantWrite || io == Link::Io::kWantRead) {
      Arm(i, EPOLLIN | EPOLLOUT);
      return;
    }
    if (io == Link::Io::kClosed || io == Link::Io::kReset) {
      OnServerClose(i, io == Link::Io::kReset);
      return;
    }
  }
  Arm(i, EPOLLIN);
}

void Swarm::ReadSide(uint32_t i) {
  Conn& c = *conns_[i];
  std::string chunk;
  const Link::Io io = c.link.Receive(&chunk);
  ReplyReader::State s = c.reader.Feed(chunk);
  for (;;) {
    if (s == ReplyReader::State::kIncomplete && io == Link::Io::kClosed) {
      s = c.reader.FinishAtEof();
    }
    if (s == ReplyReader::State::kMalformed) {
      ++stats_.malformed;
      OnServerClose(i, true);
      return;
    }
    if (s != ReplyReader::State::kDone) break;
    if (!OnAnswer(i)) return;
    s = c.reader.Next();
  }
  if (io == Link::Io::kClosed || io == Link::Io::kReset) OnServerClose(i, io == Link::Io::kReset);
}

bool Swarm::OnAnswer(uint32_t i) {
  Conn& c = *conns_[i];
  const Reply& r = c.reader.reply();
  ++stats_.answers[r.status];
  if (r.status == 503 && !r.retry_after) ++stats_.shed_without_retry_after;
  c.awaiting = false;
  c.answered_any = true;
  if (o_.mode != Mode::kOverload) return true;  // the others wait for the server to close
  if (r.close || stopping_) {
    Drop(i, 0);  // a client reconnects after an answer that closes the connection
    return false;
  }
  SendNextRequest(i);
  return conns_[i]->phase == Conn::Phase::kRunning;
}

void Swarm::OnServerClose(uint32_t i, bool reset) {
  Conn& c = *conns_[i];
  ++(reset ? stats_.reset_by_server : stats_.closed_by_server);
  if (!c.answered_any) ++stats_.closed_without_answer;
  if (c.awaiting) ++stats_.unanswered;
  stats_.lifetime_max_ms = std::max(stats_.lifetime_max_ms, NowMs() - c.opened_ms);
  Drop(i, 0);
}

void Swarm::Tick(int64_t now_ms) {
  const bool slow = o_.mode == Mode::kSlowHeaders || o_.mode == Mode::kSlowBody;
  for (uint32_t i = 0; i < conns_.size(); ++i) {
    Conn& c = *conns_[i];
    if (c.phase == Conn::Phase::kWaiting) {
      if (!stopping_ && c.reopen_at_ms <= now_ms) Open(i);
      continue;
    }
    if (!slow || c.phase != Conn::Phase::kRunning || c.next_byte_ms > now_ms) continue;
    if (o_.mode == Mode::kSlowHeaders && c.trickled < kSlowHeadPrefix.size()) {
      c.out.push_back(kSlowHeadPrefix[c.trickled]);
    } else {
      c.out.push_back(o_.mode == Mode::kSlowHeaders ? 'a' : ' ');  // JSON allows the spaces
    }
    ++c.trickled;
    c.next_byte_ms += kTrickleGapMs;
    Flush(i);
  }
}

void Swarm::StopSending() { stopping_ = true; }

int64_t Swarm::outstanding() const {
  return std::count_if(conns_.begin(), conns_.end(),
                       [](const std::unique_ptr<Conn>& c) { return c->awaiting; });
}

SwarmStats Swarm::Finish(int64_t expect_close_ms) {
  const int64_t now = NowMs();
  for (uint32_t i = 0; i < conns_.size(); ++i) {
    Conn& c = *conns_[i];
    if (c.phase == Conn::Phase::kWaiting) continue;
    ++stats_.open_at_end;
    if (expect_close_ms > 0 && now - c.opened_ms > expect_close_ms) ++stats_.overdue_at_end;
    if (o_.mode == Mode::kOverload && c.awaiting) ++stats_.pending_at_end;
    Drop(i, 0);
  }
  return stats_;
}

}  // namespace front
