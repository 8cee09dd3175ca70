// The attackers of front_attack: N connections held by one epoll loop on one thread. Each
// behaves as the mode says and reconnects when the server closes it, so the attack holds N
// connections for as long as it runs.
//
// Thread safety: none; one thread calls everything.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/front/front_net.h"

namespace front {

enum class Mode {
  kSlowHeaders,    // a request head trickled one byte a second, never finished
  kSlowBody,       // a whole head, then the body one byte a second, never finished
  kSilent,         // connect and send nothing (not even a TLS hello)
  kIdleKeepAlive,  // one GET /healthz, then idle on the kept-alive connection
  kOverload,       // POST /v1/orders back to back on every connection
};

bool ParseMode(const std::string& text, Mode* out);
const char* ModeName(Mode m);

struct SwarmOptions {
  Mode mode = Mode::kSilent;
  int connections = 0;
  Target target;
  SSL_CTX* tls = nullptr;  // TLS for every mode but silent
  std::string api_key;     // slow-body and overload send it
  std::vector<std::string> customers;
  std::string run_id;
  // The first connects are spread evenly over this (0: all at once). Attackers cut by the same
  // deadline then also reconnect spread out, as independent clients would.
  int64_t open_spread_ms = 0;
};

struct SwarmStats {
  int64_t connects = 0;                  // connections opened
  int64_t socket_failures = 0;           // no socket (EMFILE, ENFILE): retried later
  int64_t connect_failures = 0;          // refused or reset while connecting
  int64_t handshake_failures = 0;        // TLS handshake failed
  int64_t closed_by_server = 0;          // orderly close (FIN)
  int64_t reset_by_server = 0;           // RST
  int64_t closed_without_answer = 0;     // closed or reset having answered nothing on it
  int64_t malformed = 0;                 // an answer that is not HTTP/1.x
  std::map<int, int64_t> answers;        // by status
  int64_t shed_without_retry_after = 0;  // 503 answers lacking Retry-After
  int64_t requests = 0;                  // overload: requests sent
  int64_t unanswered = 0;       // overload and idle-keepalive: a request cut off without its answer
  int64_t pending_at_end = 0;   // overload: requests still unanswered after the drain
  int64_t open_max = 0;         // connections open at once, at most
  int64_t open_at_end = 0;      // connections open when the attack stopped
  int64_t connect_max_ms = 0;   // connect (and TLS handshake) to established, at most
  int64_t lifetime_max_ms = 0;  // the longest a connection lived before the server closed it
  int64_t overdue_at_end = 0;   // open at the end for longer than the expected close
  int64_t bytes_sent = 0;
};

class Swarm {
 public:
  explicit Swarm(SwarmOptions o);
  ~Swarm();
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;

  // Creates the epoll set and starts every connection. False when epoll cannot be made.
  bool Start();
  // Runs the loop until `done()` answers true (asked at least every 50 ms).
  void RunUntil(const std::function<bool()>& done);
  // No more requests and no more reconnects; overload connections finish their answers.
  void StopSending();
  // Attackers that have been connected at least once (the ramp-up is over when all have).
  int64_t ready() const { return ready_; }
  int64_t outstanding() const;  // requests waiting for their answer
  // Closes everything. `expect_close_ms` > 0 counts connections open longer than that.
  SwarmStats Finish(int64_t expect_close_ms);

 private:
  struct Conn;
  void Open(uint32_t i);
  void Drop(uint32_t i, int64_t reopen_delay_ms);
  void Arm(uint32_t i, uint32_t events);
  void OnEvent(uint32_t i, uint32_t events);
  void OnEstablished(uint32_t i);
  void ReadSide(uint32_t i);
  bool OnAnswer(uint32_t i);  // false when the connection was dropped
  void OnServerClose(uint32_t i, bool reset);
  void Flush(uint32_t i);
  void SendNextRequest(uint32_t i);
  void Tick(int64_t now_ms);

  SwarmOptions o_;
  std::vector<std::unique_ptr<Conn>> conns_;
  int epoll_fd_ = -1;
  bool stopping_ = false;
  int64_t open_ = 0;
  int64_t ready_ = 0;
  int64_t order_seq_ = 0;
  SwarmStats stats_;
};

}  // namespace front
