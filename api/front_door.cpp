#include "api/front_door.h"

#include <Poco/Exception.h>
#include <Poco/MemoryStream.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/json_writer.h"
#include "core/limits.h"

namespace loyalty {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t Ns(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(ms).count();
}

// What a connection is doing. Who may touch it is decided by Conn::armed, not by the state.
enum class State : uint8_t {
  kIdle,     // keep-alive, no byte of the next request yet
  kHead,     // reading request line and headers
  kBody,     // reading the body
  kWriting,  // an answer is partly sent; waiting for EPOLLOUT
  kLinger,   // answered and shut down for writing; draining unread input before close
  kQueued,   // a complete request waits for a worker
  kServing,  // a worker runs the handler
  kClosed,   // fd closed; freed at the end of the I/O loop iteration
};

// De-chunks a chunked body (RFC 9112 7.1) incrementally from the front of a buffer.
class ChunkDecoder {
 public:
  enum class Step { kNeedMore, kDone, kError };
  // Consumes what it can from `in`; decoded bytes go to `out` unless `discard`.
  Step Feed(std::string& in, std::string& out, bool discard, size_t& decoded_total,
            std::string& error) {
    size_t pos = 0;
    Step step = Step::kNeedMore;
    while (pos < in.size()) {
      if (phase_ == Phase::kData) {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size() - pos));
        if (!discard) out.append(in, pos, take);
        pos += take;
        remaining_ -= take;
        decoded_total += take;
        if (remaining_ == 0) phase_ = Phase::kDataEnd;
        continue;
      }
      const size_t eol = in.find("\r\n", pos);
      if (eol == std::string::npos) {
        if (in.size() - pos > kMaxChunkLineBytes) {
          error = "chunk line too long";
          step = Step::kError;
        }
        break;
      }
      const std::string_view line(in.data() + pos, eol - pos);
      pos = eol + 2;
      if (phase_ == Phase::kDataEnd) {
        if (!line.empty()) {
          error = "chunk data not followed by CRLF";
          step = Step::kError;
          break;
        }
        phase_ = Phase::kSize;
      } else if (phase_ == Phase::kSize) {
        const std::string_view size = line.substr(0, line.find(';'));
        uint64_t n = 0;
        bool ok = !size.empty() && size.size() <= 15;
        for (char c : size) {
          const int d = (c >= '0' && c <= '9')   ? c - '0'
                        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                 : -1;
          if (d < 0) ok = false;
          n = n * 16 + static_cast<uint64_t>(std::max(d, 0));
        }
        if (!ok) {
          error = "bad chunk size";
          step = Step::kError;
          break;
        }
        if (n == 0) {
          phase_ = Phase::kTrailer;
        } else {
          remaining_ = n;
          phase_ = Phase::kData;
        }
      } else {  // kTrailer: header lines until an empty one
        trailer_bytes_ += line.size() + 2;
        if (trailer_bytes_ > kMaxRequestHeadBytes) {
          error = "trailer too long";
          step = Step::kError;
          break;
        }
        if (line.empty()) {
          step = Step::kDone;
          break;
        }
      }
    }
    in.erase(0, pos);
    return step;
  }
  uint64_t pending_chunk() const { return phase_ == Phase::kData ? remaining_ : 0; }

 private:
  enum class Phase { kSize, kData, kDataEnd, kTrailer };
  Phase phase_ = Phase::kSize;
  uint64_t remaining_ = 0;
  size_t trailer_bytes_ = 0;
};

// Ownership: while `armed` (set under `mu` just before the fd is armed one-shot in epoll) the
// connection belongs to the I/O thread: its event handler, or the sweep, claims it by clearing
// `armed` under `mu`. Otherwise it belongs to whoever took it off epoll or the queue, and only
// that thread touches the other fields.
struct Conn {
  int fd = -1;
  std::mutex mu;
  bool armed = false;  // guarded by mu
  std::atomic<State> state{State::kHead};
  bool peer_closed = false;               // the client shut down its side; answer, then close
  int64_t deadline_ns = 0;                // of the armed state (head, body, write, idle, linger)
  std::atomic<int64_t> idle_since_ns{0};  // kIdle only; read unlocked when making room
  int served = 0;

  std::string in;  // bytes read and not yet consumed
  size_t scan_from = 0;

  // The request being read.
  std::unique_ptr<FrontRequest> req;
  bool chunked = false;
  uint64_t body_left = 0;  // Content-Length framing
  size_t body_total = 0;   // decoded bytes so far (limits)
  ChunkDecoder chunks;
  bool keep_alive = true;  // what the client asked for

  std::string out;
  size_t out_off = 0;
  bool close_after = false;   // after `out`, shut down
  bool linger_after = false;  // ... and drain unread input first
};

struct Job {
  Conn* conn;
  std::unique_ptr<FrontRequest> req;
  int64_t enqueued_ns;
  bool priority;
};

enum class Parse { kNeedMore, kComplete, kError };

// Tags for the non-connection fds in epoll.
char kListenTag;
char kWakeTag;

std::string ProblemBody(int status, std::string_view code, std::string_view title,
                        const std::string& detail) {
  return JsonWriter()
      .Str("type", "https://loyalty.dev/problems/" + std::string(code))
      .Str("title", std::string(title))
      .Int("status", status)
      .Str("detail", detail)
      .Str("code", std::string(code))
      .Finish();
}

std::string HttpDate() {
  // Cached per second: formatting on every answer shows in profiles.
  thread_local time_t cached_at = 0;
  thread_local char buf[64];
  const time_t now = time(nullptr);
  if (now != cached_at) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_at = now;
  }
  return buf;
}

// Every connection is a descriptor: lift the soft limit towards what max_connections needs.
// Beyond the hard limit, accept runs out and the reserve descriptor answers 503 instead.
void RaiseDescriptorLimit(int max_connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t want = static_cast<rlim_t>(max_connections) + 256;
  if (lim.rlim_cur >= want) return;
  const rlim_t before = lim.rlim_cur;
  lim.rlim_cur = std::min(want, lim.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur < want) {
    spdlog::warn("front door: open-file limit {} (hard {}) is below max_connections {} + 256",
                 lim.rlim_cur, lim.rlim_max, max_connections);
  } else {
    spdlog::debug("front door: open-file limit raised from {} to {}", before, lim.rlim_cur);
  }
}

}  // namespace

Status ValidateFrontOptions(const FrontOptions& o) {
  if (o.port < 0 || o.port > 65535) return Status::Invalid("port", "must be 0..65535");
  if (o.workers < 1) return Status::Invalid("threads", "must be at least 1");
  if (o.max_queued < 1) return Status::Invalid("max_queued", "must be at least 1");
  if (o.max_connections < 1 || o.max_connections > kMaxFrontConnections) {
    return Status::Invalid("max_connections", "must be 1.." + std::to_string(kMaxFrontConnections));
  }
  if (o.keep_alive_max_requests < 0) {
    return Status::Invalid("keep_alive_max_requests", "must be 0 (unlimited) or more");
  }
  const auto positive = [](std::chrono::milliseconds ms) { return ms.count() > 0; };
  if (!positive(o.header_timeout)) return Status::Invalid("header_timeout", "must be > 0 ms");
  if (!positive(o.body_timeout)) return Status::Invalid("body_timeout", "must be > 0 ms");
  if (!positive(o.keep_alive_timeout)) {
    return Status::Invalid("keep_alive_timeout", "must be > 0 ms");
  }
  if (!positive(o.pressure_keep_alive_timeout)) {
    return Status::Invalid("pressure_keep_alive_timeout", "must be > 0 ms");
  }
  if (!positive(o.queue_wait)) return Status::Invalid("queue_wait", "must be > 0 ms");
  if (o.linger.count() < 0) return Status::Invalid("linger", "must be >= 0 ms");
  if (o.retry_after_seconds < 1) return Status::Invalid("retry_after", "must be >= 1 s");
  return Status::Ok();
}

struct FrontDoor::Impl {
  Impl(FrontOptions o, FrontHandler h) : opts(std::move(o)), handler(std::move(h)) {}

  // What became of a connection after an answer was (partly) sent.
  enum class After {
    kKept,       // idle keep-alive, still owned by the caller (which parses on or arms it)
    kHandedOff,  // armed in epoll (rest of the answer, or lingering): the caller lets go
    kClosed,     // closed: the caller frees it (Dispose)
  };
  enum class ReadResult { kOpen, kPeerClosed, kFailed };

  // --- I/O thread ---
  void IoLoop();
  void AcceptAll();
  void OnEvent(Conn* c, uint32_t events);
  void Sweep(int64_t now);
  ReadResult ReadSome(Conn& c);
  // After new input: parse, then enqueue, answer an error, or wait for more.
  void Continue(Conn& c);
  // Hands a complete request to the workers, or answers 503 when the queue is full.
  void Enqueue(Conn& c);
  // Claims an armed connection for the I/O thread. False when it is not armed.
  bool Claim(Conn& c);

  // --- either owner ---
  Parse Advance(Conn& c, FrontReply& error);
  // Sends `out`; then keeps the connection idle, hands it to epoll, or closes it.
  After Flush(Conn& c);
  void Answer(Conn& c, const FrontReply& reply, bool keep_alive);
  void Arm(Conn& c, State s, int64_t deadline_ns, uint32_t events);
  void Close(Conn& c);
  void Dispose(Conn* c, bool on_io_thread);
  FrontReply Problem(int status, std::string_view code, std::string_view title,
                     const std::string& detail, bool retry_after) const;
  FrontReply Overloaded(const std::string& detail) const {
    return Problem(503, "overloaded", "Service unavailable", detail, true);
  }
  bool Pressure() const {
    return queued.load(std::memory_order_relaxed) > 0 ||
           open.load(std::memory_order_relaxed) * 4 > int64_t{opts.max_connections} * 3;
  }
  // Connections with a request under way (read, queued, served or written). Approximate.
  int64_t InFlight();

  // --- workers ---
  void WorkerLoop();
  void Serve(Conn& c, std::unique_ptr<FrontRequest> req);

  const FrontOptions opts;
  const FrontHandler handler;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  int reserve_fd = -1;  // given up to accept-and-answer when out of descriptors
  int bound_port = 0;
  std::thread io;
  std::vector<std::thread> workers;

  std::mutex registry_mu;
  std::unordered_set<Conn*> registry;
  std::vector<Conn*> graveyard;  // I/O thread only: freed after the events of one round

  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<Job> queue;
  bool queue_closed = false;

  std::atomic<bool> draining{false};
  std::atomic<bool> stop_io{false};
  std::atomic<int64_t> open{0};
  std::atomic<int64_t> queued{0};
  std::atomic<int64_t> busy{0};
  struct Counters {
    std::atomic<int64_t> accepted{0}, requests{0}, shed_full{0}, shed_wait{0}, shed_conn{0},
        head_to{0}, body_to{0}, write_to{0}, idle_closed{0}, idle_evicted{0}, bad{0};
  } n;
  bool started = false;
  bool stopped = false;
};

FrontReply FrontDoor::Impl::Problem(int status, std::string_view code, std::string_view title,
                                    const std::string& detail, bool retry_after) const {
  FrontReply r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = ProblemBody(status, code, title, detail);
  if (retry_after) r.headers.emplace_back("Retry-After", std::to_string(opts.retry_after_seconds));
  r.close = true;
  return r;
}

void FrontDoor::Impl::Arm(Conn& c, State s, int64_t deadline_ns, uint32_t events) {
  std::lock_guard<std::mutex> lock(c.mu);
  c.state.store(s, std::memory_order_release);
  c.deadline_ns = deadline_ns;
  c.armed = true;
  epoll_event ev{};
  ev.events = events | EPOLLONESHOT;
  ev.data.ptr = &c;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev) != 0) {
    spdlog::warn("front door: epoll_ctl(MOD) failed: {}", std::strerror(errno));
  }
}

bool FrontDoor::Impl::Claim(Conn& c) {
  std::lock_guard<std::mutex> lock(c.mu);
  if (!c.armed) return false;
  c.armed = false;
  return true;
}

void FrontDoor::Impl::Close(Conn& c) {
  if (c.state.exchange(State::kClosed) == State::kClosed) return;
  ::close(c.fd);
  open.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(registry_mu);
  registry.erase(&c);
}

void FrontDoor::Impl::Dispose(Conn* c, bool on_io_thread) {
  if (on_io_thread) {
    graveyard.push_back(c);  // an event of this round may still name it
  } else {
    delete c;  // unarmed and out of the registry: nobody else can reach it
  }
}

int64_t FrontDoor::Impl::InFlight() {
  int64_t count = queued.load() + busy.load();
  std::lock_guard<std::mutex> lock(registry_mu);
  for (Conn* c : registry) {
    std::unique_lock<std::mutex> conn_lock(c->mu, std::try_to_lock);
    if (!conn_lock.owns_lock() || !c->armed) continue;  // owned by a thread: counted above
    const State s = c->state.load();
    if (s == State::kBody || s == State::kWriting || (s == State::kHead && !c->in.empty())) {
      ++count;
    }
  }
  return count;
}

// --- parsing ---

Parse FrontDoor::Impl::Advance(Conn& c, FrontReply& error) {
  const int64_t now = NowNs();
  if (c.state == State::kIdle) {
    // RFC 9112 2.2: empty lines before a request line are ignored.
    size_t skip = 0;
    while (c.in.compare(skip, 2, "\r\n") == 0) skip += 2;
    c.in.erase(0, skip);
    if (c.in.empty()) return Parse::kNeedMore;
    c.state.store(State::kHead, std::memory_order_relaxed);
    c.deadline_ns = now + Ns(opts.header_timeout);
  }
  if (c.state == State::kHead) {
    if (c.req == nullptr && !c.in.empty()) {
      size_t skip = 0;
      while (c.in.compare(skip, 2, "\r\n") == 0) skip += 2;
      c.in.erase(0, skip);
    }
    const size_t end = c.in.find("\r\n\r\n", c.scan_from);
    if (end == std::string::npos) {
      if (c.in.size() > kMaxRequestHeadBytes) {
        n.bad.fetch_add(1, std::memory_order_relaxed);
        error = Problem(
            431, "request_header_fields_too_large", "Request header fields too large",
            "request line and headers over " + std::to_string(kMaxRequestHeadBytes) + " bytes",
            false);
        return Parse::kError;
      }
      c.scan_from = c.in.size() >= 3 ? c.in.size() - 3 : 0;
      return Parse::kNeedMore;
    }
    const size_t head_len = end + 4;
    if (head_len > kMaxRequestHeadBytes) {
      n.bad.fetch_add(1, std::memory_order_relaxed);
      error = Problem(
          431, "request_header_fields_too_large", "Request header fields too large",
          "request line and headers over " + std::to_string(kMaxRequestHeadBytes) + " bytes",
          false);
      return Parse::kError;
    }
    auto req = std::make_unique<FrontRequest>();
    int64_t content_length = -1;
    try {
      Poco::MemoryInputStream head(c.in.data(), head_len);
      req->head.read(head);
      if (req->head.getMethod().empty() || req->head.getURI().empty() ||
          req->head.getVersion().rfind("HTTP/1.", 0) != 0) {
        throw Poco::Net::MessageException("bad request line");
      }
      if (req->head.has("Transfer-Encoding")) {
        if (Poco::icompare(req->head.get("Transfer-Encoding"), "chunked") != 0) {
          n.bad.fetch_add(1, std::memory_order_relaxed);
          error = Problem(501, "transfer_coding_not_implemented", "Not implemented",
                          "only the chunked transfer coding is supported", false);
          return Parse::kError;
        }
        if (req->head.has("Content-Length")) {
          throw Poco::Net::MessageException("both Transfer-Encoding and Content-Length");
        }
        c.chunked = true;
      } else if (req->head.has("Content-Length")) {
        const std::string& text = req->head.get("Content-Length");
        if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char ch) {
              return ch >= '0' && ch <= '9';
            })) {
          throw Poco::Net::MessageException("bad Content-Length");
        }
        content_length = std::stoll(text);
      }
    } catch (const Poco::Exception& e) {
      n.bad.fetch_add(1, std::memory_order_relaxed);
      error =
          Problem(400, "bad_request", "Bad request", "malformed request: " + e.message(), false);
      return Parse::kError;
    }
    c.in.erase(0, head_len);
    c.scan_from = 0;
    c.keep_alive = req->head.getKeepAlive();
    c.body_total = 0;
    c.chunks = ChunkDecoder();
    c.req = std::move(req);
    if (!c.chunked && content_length <= 0) return Parse::kComplete;
    if (!c.chunked && static_cast<uint64_t>(content_length) > kMaxDrainBytes) {
      n.bad.fetch_add(1, std::memory_order_relaxed);
      error = Problem(413, "payload_too_large", "Payload too large",
                      "request body over " + std::to_string(kMaxBodyBytes) + " bytes", false);
      return Parse::kError;
    }
    c.body_left = c.chunked ? 0 : static_cast<uint64_t>(content_length);
    c.req->body_too_large = !c.chunked && c.body_left > kMaxBodyBytes;
    if (!c.req->body_too_large) c.req->body.reserve(c.body_left);
    c.state.store(State::kBody, std::memory_order_relaxed);
    c.deadline_ns = now + Ns(opts.body_timeout);
    if (c.in.empty() && Poco::icompare(c.req->head.get("Expect", ""), "100-continue") == 0) {
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      // Best effort: a client that cannot take 25 bytes now sends the body anyway.
      (void)::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
  }
  if (c.state == State::kBody) {
    if (!c.chunked) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(c.body_left, c.in.size()));
      if (!c.req->body_too_large) c.req->body.append(c.in, 0, take);
      c.in.erase(0, take);
      c.body_left -= take;
      return c.body_left == 0 ? Parse::kComplete : Parse::kNeedMore;
    }
    std::string why;
    const ChunkDecoder::Step step =
        c.chunks.Feed(c.in, c.req->body, c.req->body_too_large, c.body_total, why);
    if (c.body_total > kMaxBodyBytes && !c.req->body_too_large) {
      c.req->body_too_large = true;
      c.req->body.clear();
      c.req->body.shrink_to_fit();
    }
    if (c.body_total > kMaxDrainBytes) {
      n.bad.fetch_add(1, std::memory_order_relaxed);
      error = Problem(413, "payload_too_large", "Payload too large",
                      "request body over " + std::to_string(kMaxBodyBytes) + " bytes", false);
      return Parse::kError;
    }
    if (step == ChunkDecoder::Step::kError) {
      n.bad.fetch_add(1, std::memory_order_relaxed);
      error = Problem(400, "bad_request", "Bad request", "malformed chunked body: " + why, false);
      return Parse::kError;
    }
    return step == ChunkDecoder::Step::kDone ? Parse::kComplete : Parse::kNeedMore;
  }
  return Parse::kNeedMore;
}

// --- answering ---

void FrontDoor::Impl::Answer(Conn& c, const FrontReply& reply, bool keep_alive) {
  std::string& o = c.out;
  o.clear();
  o.reserve(192 + reply.body.size());
  o += "HTTP/1.1 ";
  o += std::to_string(reply.status);
  o += ' ';
  o += Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  o += "\r\nDate: ";
  o += HttpDate();
  o += "\r\nContent-Type: ";
  o += reply.content_type;
  o += "\r\nContent-Length: ";
  o += std::to_string(reply.body.size());
  o += "\r\n";
  for (const auto& [name, value] : reply.headers) {
    o += name;
    o += ": ";
    o += value;
    o += "\r\n";
  }
  if (!keep_alive) {
    o += "Connection: close\r\n";
  } else if (c.req != nullptr && c.req->head.getVersion() == Poco::Net::HTTPMessage::HTTP_1_0) {
    o += "Connection: Keep-Alive\r\n";
  }
  o += "\r\n";
  o += reply.body;
  c.out_off = 0;
  c.close_after = !keep_alive;
  // Unread input (a body not read, a pipelined request) would make close() send a reset that
  // can overtake the answer: it is drained for a moment first. A request read to its end with
  // nothing after it closes at once.
  const State s = c.state.load();
  c.linger_after =
      !keep_alive && !c.peer_closed && (s == State::kHead || s == State::kBody || !c.in.empty());
}

FrontDoor::Impl::After FrontDoor::Impl::Flush(Conn& c) {
  while (c.out_off < c.out.size()) {
    const ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) {
      c.out_off += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Arm(c, State::kWriting, NowNs() + Ns(opts.body_timeout), EPOLLOUT);
      return After::kHandedOff;
    }
    Close(c);  // the client went away
    return After::kClosed;
  }
  c.out.clear();
  c.out_off = 0;
  c.req.reset();
  c.chunked = false;
  if (c.close_after) {
    if (!c.linger_after || opts.linger.count() == 0) {
      Close(c);
      return After::kClosed;
    }
    ::shutdown(c.fd, SHUT_WR);
    c.in.clear();
    Arm(c, State::kLinger, NowNs() + Ns(opts.linger), EPOLLIN);
    return After::kHandedOff;
  }
  ++c.served;
  const int64_t now = NowNs();
  c.state.store(State::kIdle, std::memory_order_relaxed);
  c.idle_since_ns = now;
  c.deadline_ns = now + Ns(opts.keep_alive_timeout);
  return After::kKept;
}

// --- I/O thread ---

FrontDoor::Impl::ReadResult FrontDoor::Impl::ReadSome(Conn& c) {
  char buf[16 * 1024];
  size_t total = 0;
  while (total < kFrontReadBytesPerEvent) {
    const ssize_t r = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r > 0) {
      total += static_cast<size_t>(r);
      if (c.state.load() != State::kLinger) c.in.append(buf, static_cast<size_t>(r));
      // A short read emptied the socket: skip the recv that would only say EAGAIN (the
      // one-shot re-arm reports anything that arrives later).
      if (static_cast<size_t>(r) < sizeof buf) return ReadResult::kOpen;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadResult::kOpen;
    return r == 0 ? ReadResult::kPeerClosed : ReadResult::kFailed;
  }
  return ReadResult::kOpen;
}

void FrontDoor::Impl::Enqueue(Conn& c) {
  const std::string& uri = c.req->head.getURI();
  const std::string path = uri.substr(0, uri.find('?'));
  const bool priority = std::find(opts.priority_paths.begin(), opts.priority_paths.end(), path) !=
                        opts.priority_paths.end();
  {
    std::unique_lock<std::mutex> lock(queue_mu);
    if (!queue_closed && (priority || queue.size() < static_cast<size_t>(opts.max_queued))) {
      c.state.store(State::kQueued, std::memory_order_relaxed);
      Job job{&c, std::move(c.req), NowNs(), priority};
      if (priority) {
        queue.push_front(std::move(job));
      } else {
        queue.push_back(std::move(job));
      }
      queued.fetch_add(1, std::memory_order_relaxed);
      lock.unlock();
      queue_cv.notify_one();
      return;  // the worker owns it now
    }
  }
  n.shed_full.fetch_add(1, std::memory_order_relaxed);
  c.state.store(State::kServing, std::memory_order_relaxed);
  Answer(c,
         Overloaded("the server is at capacity; retry after " +
                    std::to_string(opts.retry_after_seconds) + " s"),
         false);
  if (Flush(c) == After::kClosed) Dispose(&c, true);
}

void FrontDoor::Impl::Continue(Conn& c) {
  FrontReply error;
  switch (Advance(c, error)) {
    case Parse::kComplete:
      if (c.peer_closed) c.keep_alive = false;
      Enqueue(c);
      return;
    case Parse::kError:
      Answer(c, error, false);
      if (Flush(c) == After::kClosed) Dispose(&c, true);
      return;
    case Parse::kNeedMore:
      if (c.peer_closed) {  // cut short: nobody is left to read an answer
        Close(c);
        Dispose(&c, true);
        return;
      }
      Arm(c, c.state.load(), c.deadline_ns, EPOLLIN);
      return;
  }
}

void FrontDoor::Impl::OnEvent(Conn* c, uint32_t events) {
  if (!Claim(*c)) return;
  const State s = c->state.load();
  if (s == State::kWriting) {
    const After after = (events & EPOLLERR) ? (Close(*c), After::kClosed) : Flush(*c);
    if (after == After::kClosed) Dispose(c, true);
    if (after == After::kKept) Continue(*c);
    return;
  }
  const ReadResult r = ReadSome(*c);
  if (s == State::kLinger || r == ReadResult::kFailed) {
    if (r == ReadResult::kOpen) {
      Arm(*c, s, c->deadline_ns, EPOLLIN);
    } else {
      Close(*c);
      Dispose(c, true);
    }
    return;
  }
  if (r == ReadResult::kPeerClosed) c->peer_closed = true;
  Continue(*c);
}

void FrontDoor::Impl::AcceptAll() {
  for (int i = 0; i < 256; ++i) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
        // Out of descriptors: free the reserve, take the connection, answer, let it go.
        ::close(reserve_fd);
        fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
          Conn tmp;
          tmp.fd = fd;
          Answer(tmp, Overloaded("the server has no descriptors left"), false);
          (void)::send(fd, tmp.out.data(), tmp.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
          ::shutdown(fd, SHUT_WR);
          ::close(fd);
          n.shed_conn.fetch_add(1, std::memory_order_relaxed);
        }
        reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      }
      return;  // EAGAIN, or an error the next round retries
    }
    n.accepted.fetch_add(1, std::memory_order_relaxed);
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (open.load() >= opts.max_connections) {
      // Make room: the longest-idle keep-alive connection goes first.
      Conn* oldest = nullptr;
      {
        std::lock_guard<std::mutex> lock(registry_mu);
        for (Conn* other : registry) {
          if (other->state.load() == State::kIdle &&
              (oldest == nullptr || other->idle_since_ns < oldest->idle_since_ns)) {
            oldest = other;
          }
        }
      }
      if (oldest != nullptr && oldest->state.load() == State::kIdle && Claim(*oldest)) {
        Close(*oldest);
        Dispose(oldest, true);
        n.idle_evicted.fetch_add(1, std::memory_order_relaxed);
      }
    }
    const bool shed = open.load() >= opts.max_connections;
    auto* c = new Conn;
    c->fd = fd;
    open.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(registry_mu);
      registry.insert(c);
    }
    epoll_event ev{};
    ev.data.ptr = c;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {  // not armed yet: no events
      spdlog::warn("front door: epoll_ctl(ADD) failed: {}", std::strerror(errno));
      Close(*c);
      Dispose(c, true);
      continue;
    }
    const int64_t now = NowNs();
    c->state.store(State::kHead, std::memory_order_relaxed);
    c->deadline_ns = now + Ns(opts.header_timeout);
    if (shed) {
      n.shed_conn.fetch_add(1, std::memory_order_relaxed);
      Answer(*c,
             Overloaded("the server is at its connection limit; retry after " +
                        std::to_string(opts.retry_after_seconds) + " s"),
             false);
      if (Flush(*c) == After::kClosed) Dispose(c, true);
      continue;
    }
    Arm(*c, State::kHead, c->deadline_ns, EPOLLIN);
  }
}

void FrontDoor::Impl::Sweep(int64_t now) {
  const bool drain = draining.load();
  const bool pressure = drain || Pressure();
  const int64_t idle_limit = drain ? 0 : Ns(opts.pressure_keep_alive_timeout);
  std::vector<Conn*> due;
  {
    std::lock_guard<std::mutex> lock(registry_mu);
    for (Conn* c : registry) {
      std::unique_lock<std::mutex> conn_lock(c->mu, std::try_to_lock);
      if (!conn_lock.owns_lock() || !c->armed) continue;  // not ours now
      const State s = c->state.load();
      const bool expired =
          now >= c->deadline_ns ||
          (s == State::kIdle && pressure && now - c->idle_since_ns >= idle_limit) ||
          (s == State::kHead && drain && c->in.empty());  // never sent a byte
      if (expired) {
        c->armed = false;  // claimed: still registered in epoll, but ours
        due.push_back(c);
      }
    }
  }
  for (Conn* c : due) {
    const State s = c->state.load();
    if (s == State::kIdle || s == State::kLinger || s == State::kWriting ||
        (s == State::kHead && drain && c->in.empty() && now < c->deadline_ns)) {
      if (s == State::kIdle) n.idle_closed.fetch_add(1, std::memory_order_relaxed);
      if (s == State::kWriting) n.write_to.fetch_add(1, std::memory_order_relaxed);
      Close(*c);
      Dispose(c, true);
      continue;
    }
    // kHead, kBody: the client is too slow; tell it, if it still reads.
    const bool head = s == State::kHead;
    (head ? n.head_to : n.body_to).fetch_add(1, std::memory_order_relaxed);
    Answer(*c,
           Problem(408, "request_timeout", "Request timeout",
                   head ? "request headers not received within " +
                              std::to_string(opts.header_timeout.count()) + " ms"
                        : "request body not received within " +
                              std::to_string(opts.body_timeout.count()) + " ms",
                   false),
           false);
    if (Flush(*c) == After::kClosed) Dispose(c, true);
  }
}

void FrontDoor::Impl::IoLoop() {
  std::vector<epoll_event> events(512);
  int64_t next_sweep = NowNs();
  while (!stop_io.load()) {
    const int ready = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 50);
    for (int i = 0; i < ready; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &kWakeTag) {
        uint64_t v;
        (void)::read(wake_fd, &v, sizeof v);
      } else if (tag == &kListenTag) {
        AcceptAll();
      } else {
        OnEvent(static_cast<Conn*>(tag), events[i].events);
      }
    }
    const int64_t now = NowNs();
    if (now >= next_sweep) {
      Sweep(now);
      next_sweep = now + 50'000'000;  // deadlines are kept to 50 ms
    }
    std::sort(graveyard.begin(), graveyard.end());
    graveyard.erase(std::unique(graveyard.begin(), graveyard.end()), graveyard.end());
    for (Conn* c : graveyard) delete c;
    graveyard.clear();
  }
}

// --- workers ---

void FrontDoor::Impl::Serve(Conn& c, std::unique_ptr<FrontRequest> req) {
  for (;;) {
    c.state.store(State::kServing, std::memory_order_relaxed);
    n.requests.fetch_add(1, std::memory_order_relaxed);
    const FrontReply reply = handler(*req);
    const bool keep =
        !reply.close && c.keep_alive && !draining.load() &&
        (opts.keep_alive_max_requests == 0 || c.served + 1 < opts.keep_alive_max_requests);
    c.req = std::move(req);
    Answer(c, reply, keep);
    switch (Flush(c)) {
      case After::kHandedOff:
        return;
      case After::kClosed:
        Dispose(&c, false);
        return;
      case After::kKept:
        break;
    }
    FrontReply error;
    switch (Advance(c, error)) {
      case Parse::kComplete:
        req = std::move(c.req);
        continue;  // a pipelined request: served here, in order
      case Parse::kError:
        Answer(c, error, false);
        if (Flush(c) == After::kClosed) Dispose(&c, false);
        return;
      case Parse::kNeedMore:
        Arm(c, c.state.load(), c.deadline_ns, EPOLLIN);
        return;
    }
  }
}

void FrontDoor::Impl::WorkerLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(queue_mu);
      queue_cv.wait(lock, [this] { return queue_closed || !queue.empty(); });
      if (queue.empty()) return;
      job = std::move(queue.front());
      queue.pop_front();
      queued.fetch_sub(1, std::memory_order_relaxed);
      busy.fetch_add(1, std::memory_order_relaxed);
    }
    Conn& c = *job.conn;
    if (!job.priority && NowNs() - job.enqueued_ns > Ns(opts.queue_wait)) {
      n.shed_wait.fetch_add(1, std::memory_order_relaxed);
      c.req = std::move(job.req);
      c.state.store(State::kServing, std::memory_order_relaxed);
      Answer(c,
             Overloaded("the request waited longer than " +
                        std::to_string(opts.queue_wait.count()) + " ms for a worker"),
             false);
      if (Flush(c) == After::kClosed) Dispose(&c, false);
    } else {
      Serve(c, std::move(job.req));
    }
    busy.fetch_sub(1, std::memory_order_relaxed);
  }
}

// --- FrontDoor ---

FrontDoor::FrontDoor(FrontOptions options, FrontHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

FrontDoor::~FrontDoor() { Stop(std::chrono::milliseconds(0)); }

Status FrontDoor::Start() {
  Impl& m = *impl_;
  if (m.started) return Status(Code::kInvalidState, "front door already started");
  LOYALTY_RETURN_IF_ERROR(ValidateFrontOptions(m.opts));
  RaiseDescriptorLimit(m.opts.max_connections);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string where = m.opts.host + ":" + std::to_string(m.opts.port);
  const int gai =
      getaddrinfo(m.opts.host.c_str(), std::to_string(m.opts.port).c_str(), &hints, &found);
  if (gai != 0 || found == nullptr) {
    return Status(Code::kUnavailable, "cannot serve on " + where + ": " + gai_strerror(gai));
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, found->ai_addr, found->ai_addrlen) != 0 ||
      ::listen(fd, std::max(4096, m.opts.max_queued)) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    freeaddrinfo(found);
    return Status(Code::kUnavailable, "cannot serve on " + where + ": " + why);
  }
  freeaddrinfo(found);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  m.bound_port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  m.listen_fd = fd;
  m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  m.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  m.reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &kListenTag;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.listen_fd, &ev);
  ev.data.ptr = &kWakeTag;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
  m.started = true;
  for (int i = 0; i < m.opts.workers; ++i) m.workers.emplace_back([&m] { m.WorkerLoop(); });
  m.io = std::thread([&m] { m.IoLoop(); });
  return Status::Ok();
}

int FrontDoor::port() const { return impl_->bound_port; }

void FrontDoor::BeginDrain() { impl_->draining.store(true); }

void FrontDoor::Stop(std::chrono::milliseconds grace) {
  Impl& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  m.draining.store(true);
  // No new connections: the listener goes first (a balancer sees refusals, not hangs).
  epoll_ctl(m.epoll_fd, EPOLL_CTL_DEL, m.listen_fd, nullptr);
  ::close(m.listen_fd);
  const auto until = Clock::now() + grace;
  while (Clock::now() < until && m.InFlight() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::lock_guard<std::mutex> lock(m.queue_mu);
    m.queue_closed = true;
  }
  m.queue_cv.notify_all();
  for (std::thread& t : m.workers) t.join();  // they finish what was queued
  m.stop_io.store(true);
  uint64_t one = 1;
  (void)::write(m.wake_fd, &one, sizeof one);
  m.io.join();
  {
    std::lock_guard<std::mutex> lock(m.registry_mu);
    for (Conn* c : m.registry) {
      ::close(c->fd);
      delete c;
    }
    m.registry.clear();
  }
  ::close(m.epoll_fd);
  ::close(m.wake_fd);
  if (m.reserve_fd >= 0) ::close(m.reserve_fd);
}

FrontStats FrontDoor::Stats() const {
  const Impl& m = *impl_;
  FrontStats s;
  s.open_connections = m.open.load();
  s.queued = m.queued.load();
  s.busy_workers = m.busy.load();
  s.accepted_total = m.n.accepted.load();
  s.requests_total = m.n.requests.load();
  s.shed_queue_full_total = m.n.shed_full.load();
  s.shed_queue_wait_total = m.n.shed_wait.load();
  s.shed_connections_total = m.n.shed_conn.load();
  s.header_timeouts_total = m.n.head_to.load();
  s.body_timeouts_total = m.n.body_to.load();
  s.write_timeouts_total = m.n.write_to.load();
  s.idle_closed_total = m.n.idle_closed.load();
  s.idle_evicted_total = m.n.idle_evicted.load();
  s.bad_requests_total = m.n.bad.load();
  return s;
}

std::string RenderFrontStats(const FrontStats& s) {
  std::string out;
  const auto gauge = [&out](const char* name, const char* help, int64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
           " " + std::to_string(v) + "\n";
  };
  gauge("loyalty_http_open_connections", "Open client connections.", s.open_connections);
  gauge("loyalty_http_queued_requests", "Complete requests waiting for a worker.", s.queued);
  gauge("loyalty_http_busy_workers", "Workers serving a request.", s.busy_workers);
  out +=
      "# HELP loyalty_http_connections_accepted_total Connections accepted.\n"
      "# TYPE loyalty_http_connections_accepted_total counter\n"
      "loyalty_http_connections_accepted_total " +
      std::to_string(s.accepted_total) + "\n";
  out +=
      "# HELP loyalty_http_shed_total Requests answered 503 by the front door, by reason.\n"
      "# TYPE loyalty_http_shed_total counter\n";
  out += "loyalty_http_shed_total{reason=\"queue_full\"} " +
         std::to_string(s.shed_queue_full_total) + "\n";
  out += "loyalty_http_shed_total{reason=\"queue_wait\"} " +
         std::to_string(s.shed_queue_wait_total) + "\n";
  out += "loyalty_http_shed_total{reason=\"connections\"} " +
         std::to_string(s.shed_connections_total) + "\n";
  out +=
      "# HELP loyalty_http_timeouts_total Connections closed for a missed deadline, by phase.\n"
      "# TYPE loyalty_http_timeouts_total counter\n";
  out += "loyalty_http_timeouts_total{phase=\"headers\"} " +
         std::to_string(s.header_timeouts_total) + "\n";
  out +=
      "loyalty_http_timeouts_total{phase=\"body\"} " + std::to_string(s.body_timeouts_total) + "\n";
  out += "loyalty_http_timeouts_total{phase=\"write\"} " + std::to_string(s.write_timeouts_total) +
         "\n";
  out +=
      "# HELP loyalty_http_idle_closed_total Idle keep-alive connections closed, by cause.\n"
      "# TYPE loyalty_http_idle_closed_total counter\n";
  out += "loyalty_http_idle_closed_total{cause=\"timeout\"} " +
         std::to_string(s.idle_closed_total) + "\n";
  out += "loyalty_http_idle_closed_total{cause=\"evicted\"} " +
         std::to_string(s.idle_evicted_total) + "\n";
  out +=
      "# HELP loyalty_http_bad_requests_total Requests the front door refused (400, 413, 431, "
      "501).\n"
      "# TYPE loyalty_http_bad_requests_total counter\n"
      "loyalty_http_bad_requests_total " +
      std::to_string(s.bad_requests_total) + "\n";
  return out;
}

}  // namespace loyalty
