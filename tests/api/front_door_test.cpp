// The front door (api/front_door.h) against raw sockets: deadlines, shedding with an answer,
// idle and slow connections that hold no worker, framing (chunked, pipelined, Expect,
// HTTP/1.0) and the drain. The handler is a stub so that each test shows the connection layer
// alone; tests/api/http_protocol_test.cpp covers the same door in front of the real API.
#include "api/front_door.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loyalty {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

void SendAll(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t w = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (w <= 0) return;  // the server closed: the test reads what it answered
    off += static_cast<size_t>(w);
  }
}

struct Response {
  int status = 0;  // 0: no answer (closed or timed out)
  std::map<std::string, std::string> headers;
  std::string body;
  bool closed_after = false;  // set by ReadToClose
};

// Reads one response (Content-Length framing) within `timeout`. `pending` carries bytes read
// past it (pipelined answers).
Response ReadResponse(int fd, milliseconds timeout, std::string* pending = nullptr) {
  std::string local;
  std::string& buf = pending != nullptr ? *pending : local;
  const auto until = SteadyClock::now() + timeout;
  Response r;
  size_t head_end = std::string::npos;
  size_t need = 0;
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = buf.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const std::string head = buf.substr(0, head_end);
        r.status = std::stoi(head.substr(9, 3));
        size_t pos = head.find("\r\n");
        while (pos != std::string::npos && pos < head.size()) {
          const size_t next = head.find("\r\n", pos + 2);
          const std::string line =
              head.substr(pos + 2, (next == std::string::npos ? head.size() : next) - pos - 2);
          const size_t colon = line.find(':');
          if (colon != std::string::npos) {
            r.headers[line.substr(0, colon)] = line.substr(colon + 2);
          }
          pos = next;
        }
        need = head_end + 4 +
               std::stoul(r.headers.count("Content-Length") != 0 ? r.headers["Content-Length"]
                                                                 : std::string("0"));
        if (r.status == 100) {  // interim: the real answer follows
          buf.erase(0, head_end + 4);
          head_end = std::string::npos;
          r = Response();
          continue;
        }
      }
    }
    if (head_end != std::string::npos && buf.size() >= need) {
      r.body = buf.substr(head_end + 4, need - head_end - 4);
      buf.erase(0, need);
      return r;
    }
    const int left = static_cast<int>(
        std::chrono::duration_cast<milliseconds>(until - SteadyClock::now()).count());
    if (left <= 0) return Response();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) return Response();
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return Response();
    buf.append(chunk, static_cast<size_t>(n));
  }
}

// True when the server closes the connection within `timeout` (EOF or reset).
bool ClosedWithin(int fd, milliseconds timeout) {
  const auto until = SteadyClock::now() + timeout;
  for (;;) {
    const int left = static_cast<int>(
        std::chrono::duration_cast<milliseconds>(until - SteadyClock::now()).count());
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) return false;
    char chunk[4096];
    if (::recv(fd, chunk, sizeof chunk, 0) <= 0) return true;
  }
}

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

std::string Post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A handler that echoes the path and body; requests to /block wait for Release().
class Door {
 public:
  explicit Door(FrontOptions o = {}) {
    o.port = 0;
    door_ = std::make_unique<FrontDoor>(o, [this](const FrontRequest& r) { return Handle(r); });
    Status st = door_->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  ~Door() {
    Release();
    door_->Stop(milliseconds(2000));
  }
  int port() const { return door_->port(); }
  FrontDoor& door() { return *door_; }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int blocked() const { return blocked_.load(); }
  void WaitBlocked(int n) {
    const auto until = SteadyClock::now() + std::chrono::seconds(5);
    while (blocked_.load() < n && SteadyClock::now() < until) {
      std::this_thread::sleep_for(milliseconds(5));
    }
  }

 private:
  FrontReply Handle(const FrontRequest& r) {
    const std::string& uri = r.head.getURI();
    if (uri == "/block") {
      blocked_.fetch_add(1);
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return released_; });
    }
    if (uri == "/sleep") std::this_thread::sleep_for(milliseconds(300));
    FrontReply reply;
    reply.body =
        r.head.getMethod() + " " + uri + (r.body_too_large ? " too-large" : "") + " " + r.body;
    return reply;
  }

  std::unique_ptr<FrontDoor> door_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::atomic<int> blocked_{0};
};

FrontOptions Quick() {
  FrontOptions o;
  o.workers = 2;
  o.header_timeout = milliseconds(300);
  o.body_timeout = milliseconds(300);
  o.linger = milliseconds(200);
  return o;
}

TEST(FrontDoorTest, AnswersAndKeepsTheConnection) {
  Door d;
  const int fd = Connect(d.port());
  for (int i = 0; i < 3; ++i) {
    SendAll(fd, Post("/echo", "{\"i\":" + std::to_string(i) + "}"));
    Response r = ReadResponse(fd, milliseconds(2000));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /echo {\"i\":" + std::to_string(i) + "}");
    EXPECT_EQ(r.headers.count("Connection"), 0u);
    EXPECT_EQ(r.headers.count("Date"), 1u);
  }
  ::close(fd);
}

TEST(FrontDoorTest, SlowHeadersGet408AtTheDeadline) {
  Door d(Quick());
  const int fd = Connect(d.port());
  const std::string request = Get("/x");
  const auto started = SteadyClock::now();
  Response r;
  // One byte every 50 ms: each byte is in time, the whole request is not.
  std::thread trickle([&] {
    for (char c : request) {
      if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  r = ReadResponse(fd, milliseconds(3000));
  const auto waited = SteadyClock::now() - started;
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.headers["Connection"], "close");
  EXPECT_NE(r.body.find("\"code\":\"request_timeout\""), std::string::npos) << r.body;
  EXPECT_LT(waited, milliseconds(1500));
  EXPECT_TRUE(ClosedWithin(fd, milliseconds(2000)));
  trickle.join();
  ::close(fd);
  EXPECT_EQ(d.door().Stats().header_timeouts_total, 1);
}

TEST(FrontDoorTest, SilentConnectionsGet408) {
  Door d(Quick());
  const int fd = Connect(d.port());
  Response r = ReadResponse(fd, milliseconds(3000));
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(ClosedWithin(fd, milliseconds(2000)));
  ::close(fd);
}

TEST(FrontDoorTest, SlowBodiesGet408) {
  Door d(Quick());
  const int fd = Connect(d.port());
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"a\":");
  std::thread trickle([&] {
    for (int i = 0; i < 30; ++i) {
      if (::send(fd, " ", 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  Response r = ReadResponse(fd, milliseconds(3000));
  EXPECT_EQ(r.status, 408);
  EXPECT_NE(r.body.find("body"), std::string::npos) << r.body;
  trickle.join();
  ::close(fd);
  EXPECT_EQ(d.door().Stats().body_timeouts_total, 1);
}

TEST(FrontDoorTest, SlowAndIdleClientsHoldNoWorker) {
  FrontOptions o;
  o.workers = 2;
  Door d(o);
  std::vector<int> held;
  for (int i = 0; i < 40; ++i) {  // 20 trickling heads, 20 idle keep-alives: 20x the workers
    const int fd = Connect(d.port());
    if (i % 2 == 0) {
      SendAll(fd, "GET /slow HTTP/1.1\r\nHo");
    } else {
      SendAll(fd, Get("/first"));
      EXPECT_EQ(ReadResponse(fd, milliseconds(2000)).status, 200);
    }
    held.push_back(fd);
  }
  for (int i = 0; i < 5; ++i) {
    const int fd = Connect(d.port());
    SendAll(fd, Post("/orders", "{}"));
    const auto started = SteadyClock::now();
    EXPECT_EQ(ReadResponse(fd, milliseconds(2000)).status, 200);
    // Far below the 5 s header deadline the slow ones have: nobody waited for them.
    EXPECT_LT(SteadyClock::now() - started, milliseconds(1000));
    ::close(fd);
  }
  for (int fd : held) ::close(fd);
}

TEST(FrontDoorTest, FullQueueAnswers503WithRetryAfter) {
  FrontOptions o;
  o.workers = 1;
  o.max_queued = 1;
  Door d(o);
  const int a = Connect(d.port());
  SendAll(a, Get("/block"));
  d.WaitBlocked(1);
  const int b = Connect(d.port());
  SendAll(b, Get("/queued"));
  std::this_thread::sleep_for(milliseconds(100));  // b is in the queue
  const int c = Connect(d.port());
  SendAll(c, Get("/shed"));
  Response shed = ReadResponse(c, milliseconds(2000));
  EXPECT_EQ(shed.status, 503);
  EXPECT_EQ(shed.headers["Retry-After"], "1");
  EXPECT_EQ(shed.headers["Connection"], "close");
  EXPECT_NE(shed.body.find("\"code\":\"overloaded\""), std::string::npos);
  // Health checks jump the queue and are never shed.
  const int h = Connect(d.port());
  SendAll(h, Get("/healthz"));
  d.Release();
  EXPECT_EQ(ReadResponse(h, milliseconds(2000)).status, 200);
  EXPECT_EQ(ReadResponse(a, milliseconds(2000)).status, 200);
  EXPECT_EQ(ReadResponse(b, milliseconds(2000)).status, 200);
  for (int fd : {a, b, c, h}) ::close(fd);
  EXPECT_EQ(d.door().Stats().shed_queue_full_total, 1);
}

TEST(FrontDoorTest, RequestsThatWaitedTooLongAnswer503) {
  FrontOptions o;
  o.workers = 1;
  o.queue_wait = milliseconds(100);
  Door d(o);
  const int a = Connect(d.port());
  SendAll(a, Get("/sleep"));  // 300 ms on the only worker
  std::this_thread::sleep_for(milliseconds(50));
  const int b = Connect(d.port());
  SendAll(b, Get("/late"));
  EXPECT_EQ(ReadResponse(a, milliseconds(2000)).status, 200);
  Response late = ReadResponse(b, milliseconds(2000));
  EXPECT_EQ(late.status, 503);
  EXPECT_EQ(late.headers["Retry-After"], "1");
  ::close(a);
  ::close(b);
  EXPECT_EQ(d.door().Stats().shed_queue_wait_total, 1);
}

TEST(FrontDoorTest, ConnectionLimitEvictsTheLongestIdleFirst) {
  FrontOptions o;
  o.max_connections = 3;
  Door d(o);
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) {
    const int fd = Connect(d.port());
    SendAll(fd, Get("/i"));
    EXPECT_EQ(ReadResponse(fd, milliseconds(2000)).status, 200);
    idle.push_back(fd);
    std::this_thread::sleep_for(milliseconds(20));
  }
  const int fresh = Connect(d.port());
  SendAll(fresh, Get("/new"));
  EXPECT_EQ(ReadResponse(fresh, milliseconds(2000)).status, 200);
  EXPECT_TRUE(ClosedWithin(idle[0], milliseconds(1000)));  // the oldest went
  EXPECT_EQ(d.door().Stats().idle_evicted_total, 1);
  for (int fd : idle) ::close(fd);
  ::close(fresh);
}

TEST(FrontDoorTest, ConnectionLimitWithNoneIdleAnswers503) {
  FrontOptions o;
  o.max_connections = 2;
  Door d(o);
  const int a = Connect(d.port());
  const int b = Connect(d.port());
  SendAll(a, "GET /a HTTP/1.1\r\n");  // mid-request: not idle
  SendAll(b, "GET /b HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(100));
  const int c = Connect(d.port());
  SendAll(c, Get("/c"));
  Response r = ReadResponse(c, milliseconds(2000));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers["Retry-After"], "1");
  EXPECT_TRUE(ClosedWithin(c, milliseconds(3000)));
  for (int fd : {a, b, c}) ::close(fd);
  EXPECT_EQ(d.door().Stats().shed_connections_total, 1);
}

TEST(FrontDoorTest, IdleKeepAliveClosesAfterItsTimeout) {
  FrontOptions o;
  o.keep_alive_timeout = milliseconds(200);
  Door d(o);
  const int fd = Connect(d.port());
  SendAll(fd, Get("/i"));
  EXPECT_EQ(ReadResponse(fd, milliseconds(2000)).status, 200);
  EXPECT_TRUE(ClosedWithin(fd, milliseconds(2000)));
  ::close(fd);
  EXPECT_EQ(d.door().Stats().idle_closed_total, 1);
}

TEST(FrontDoorTest, PipelinedRequestsAnswerInOrder) {
  Door d;
  const int fd = Connect(d.port());
  SendAll(fd, Get("/one") + Post("/two", "{\"x\":2}") + Get("/three"));
  std::string pending;
  EXPECT_EQ(ReadResponse(fd, milliseconds(2000), &pending).body, "GET /one ");
  EXPECT_EQ(ReadResponse(fd, milliseconds(2000), &pending).body, "POST /two {\"x\":2}");
  EXPECT_EQ(ReadResponse(fd, milliseconds(2000), &pending).body, "GET /three ");
  ::close(fd);
}

TEST(FrontDoorTest, ChunkedBodiesAreDecoded) {
  Door d;
  const int fd = Connect(d.port());
  SendAll(fd,
          "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
          "4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: y\r\n\r\n");
  Response r = ReadResponse(fd, milliseconds(2000));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /c {\"a\":1}");
  SendAll(fd, "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  Response bad = ReadResponse(fd, milliseconds(2000));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.headers["Connection"], "close");
  ::close(fd);
}

TEST(FrontDoorTest, OversizedBodiesAreDiscardedOrRefused) {
  Door d;
  const int fd = Connect(d.port());
  const std::string big(100 * 1024, 'x');  // over kMaxBodyBytes, under kMaxDrainBytes
  SendAll(fd, Post("/big", big));
  Response r = ReadResponse(fd, milliseconds(3000));
  EXPECT_EQ(r.body, "POST /big too-large ");  // the handler says 413; the door kept step
  SendAll(fd, Get("/after"));
  EXPECT_EQ(ReadResponse(fd, milliseconds(2000)).body, "GET /after ");
  ::close(fd);
  const int huge = Connect(d.port());
  SendAll(huge, "POST /huge HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n");
  Response refused = ReadResponse(huge, milliseconds(2000));
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(refused.headers["Connection"], "close");
  ::close(huge);
}

TEST(FrontDoorTest, MalformedHeadsAreRefusedWithProblems) {
  Door d;
  const std::vector<std::pair<std::string, int>> cases = {
      {"POST /x HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"GET /x HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n", 431},
      {"NONSENSE\r\n\r\n", 400},
  };
  for (const auto& [request, status] : cases) {
    const int fd = Connect(d.port());
    SendAll(fd, request);
    Response r = ReadResponse(fd, milliseconds(2000));
    EXPECT_EQ(r.status, status) << request.substr(0, 60);
    EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
    EXPECT_EQ(r.headers["Connection"], "close");
    ::close(fd);
  }
  EXPECT_EQ(d.door().Stats().bad_requests_total, static_cast<int64_t>(cases.size()));
}

TEST(FrontDoorTest, ExpectContinueAndHttp10) {
  Door d;
  const int fd = Connect(d.port());
  SendAll(fd, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  std::string pending;
  // The interim answer arrives before the body is sent.
  for (int i = 0; i < 100 && pending.find("\r\n\r\n") == std::string::npos; ++i) {
    char buf[256];
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) pending.append(buf, static_cast<size_t>(n));
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(pending.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << pending;
  pending.clear();
  SendAll(fd, "{}");
  EXPECT_EQ(ReadResponse(fd, milliseconds(2000), &pending).body, "POST /e {}");
  ::close(fd);

  const int old = Connect(d.port());
  SendAll(old, "GET /old HTTP/1.0\r\n\r\n");
  Response r = ReadResponse(old, milliseconds(2000));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Connection"], "close");
  EXPECT_TRUE(ClosedWithin(old, milliseconds(1000)));
  ::close(old);
  const int kept = Connect(d.port());
  SendAll(kept, "GET /kept HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(ReadResponse(kept, milliseconds(2000)).headers["Connection"], "Keep-Alive");
  SendAll(kept, "GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(ReadResponse(kept, milliseconds(2000)).body, "GET /again ");
  ::close(kept);
}

TEST(FrontDoorTest, AClientThatHalfClosesStillGetsItsAnswer) {
  Door d;
  const int fd = Connect(d.port());
  SendAll(fd, Get("/half"));
  ::shutdown(fd, SHUT_WR);
  Response r = ReadResponse(fd, milliseconds(2000));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(ClosedWithin(fd, milliseconds(2000)));
  ::close(fd);
}

TEST(FrontDoorTest, DrainFinishesRequestsInFlightAndClosesIdleOnes) {
  Door d;
  const int idle = Connect(d.port());
  SendAll(idle, Get("/i"));
  EXPECT_EQ(ReadResponse(idle, milliseconds(2000)).status, 200);
  const int busy = Connect(d.port());
  SendAll(busy, Get("/block"));
  d.WaitBlocked(1);
  d.door().BeginDrain();
  EXPECT_TRUE(ClosedWithin(idle, milliseconds(1000)));
  std::thread stopper([&] { d.door().Stop(milliseconds(5000)); });
  std::this_thread::sleep_for(milliseconds(100));
  d.Release();
  Response r = ReadResponse(busy, milliseconds(3000));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Connection"], "close");
  stopper.join();
  ::close(idle);
  ::close(busy);
}

TEST(FrontDoorTest, BadOptionsAreRefused) {
  FrontOptions o;
  o.header_timeout = milliseconds(0);
  EXPECT_EQ(ValidateFrontOptions(o).code(), Code::kValidationFailed);
  o = FrontOptions();
  o.max_connections = 0;
  EXPECT_EQ(ValidateFrontOptions(o).code(), Code::kValidationFailed);
  o = FrontOptions();
  o.workers = 0;
  EXPECT_EQ(ValidateFrontOptions(o).code(), Code::kValidationFailed);
  EXPECT_TRUE(ValidateFrontOptions(FrontOptions()).ok());
}

TEST(FrontDoorTest, StatsRenderAsPrometheus) {
  FrontStats s;
  s.open_connections = 3;
  s.shed_queue_full_total = 2;
  const std::string text = RenderFrontStats(s);
  EXPECT_NE(text.find("loyalty_http_open_connections 3\n"), std::string::npos);
  EXPECT_NE(text.find("loyalty_http_shed_total{reason=\"queue_full\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE loyalty_http_timeouts_total counter"), std::string::npos);
}

}  // namespace
}  // namespace loyalty
