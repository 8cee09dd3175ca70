// The client side of front_attack: one TCP connection, optionally TLS, on a non-blocking
// socket. The attack loop drives thousands of them from epoll; the probe drives one at a time
// with poll. Nothing here blocks, so one thread can hold every connection.
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <string>

namespace front {

// Milliseconds of a monotonic clock.
int64_t NowMs();

struct Target {
  sockaddr_in addr{};
  std::string text;  // as given, "127.0.0.1:8080"
};

// IPv4 "A.B.C.D:PORT". False when it is not one.
bool ParseTarget(const std::string& text, Target* out);

// A TLS client context that verifies nothing: the tool attacks test servers with self-signed
// certificates, and what it measures is the server's behaviour, not the certificate.
SSL_CTX* MakeClientTlsContext();

class Link {
 public:
  // kDone: finished. kWantRead / kWantWrite: call again when the socket is readable / writable.
  // kClosed: the peer closed in order (EOF or TLS close_notify). kReset: anything abnormal
  // (RST, a refused connect, a TLS failure); errno_value() says which.
  enum class Io { kDone, kWantRead, kWantWrite, kClosed, kReset };

  Link() = default;
  ~Link() { Close(); }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Starts a non-blocking connect, TLS when `tls` is not null. False with errno_value() set when
  // no socket could be made (EMFILE, ENFILE) or the connect failed at once.
  bool Open(const Target& target, SSL_CTX* tls);
  // Completes the TCP connect, then the TLS handshake. kDone once the link carries data.
  Io Establish();
  // Sends up to `n` bytes, `*sent` of them taken.
  Io Send(const char* data, size_t n, size_t* sent);
  // Appends whatever is readable to `*out`: kWantRead when drained, kClosed / kReset at the end
  // (the bytes read before it are kept).
  Io Receive(std::string* out);
  void Close();

  int fd() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  bool tcp_connected() const { return tcp_done_; }
  bool established() const { return tcp_done_ && (ssl_ == nullptr || tls_done_); }
  int errno_value() const { return errno_; }

 private:
  Io TlsResult(int rc);

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool tcp_done_ = false;
  bool tls_done_ = false;
  int errno_ = 0;
};

}  // namespace front
