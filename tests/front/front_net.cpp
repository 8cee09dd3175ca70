#include "tests/front/front_net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace front {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool ParseTarget(const std::string& text, Target* out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string host = text.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (...) {
    return false;
  }
  if (port <= 0 || port > 65535) return false;
  out->addr = {};
  out->addr.sin_family = AF_INET;
  out->addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &out->addr.sin_addr) != 1) return false;
  out->text = text;
  return true;
}

SSL_CTX* MakeClientTlsContext() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return nullptr;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return ctx;
}

bool Link::Open(const Target& target, SSL_CTX* tls) {
  Close();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    errno_ = errno;
    return false;
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int rc = connect(fd_, reinterpret_cast<const sockaddr*>(&target.addr), sizeof target.addr);
  if (rc != 0 && errno != EINPROGRESS) {
    errno_ = errno;
    Close();
    return false;
  }
  tcp_done_ = rc == 0;
  if (tls != nullptr) {
    ssl_ = SSL_new(tls);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
      errno_ = ENOMEM;
      Close();
      return false;
    }
    SSL_set_tlsext_host_name(ssl_, "localhost");
    SSL_set_connect_state(ssl_);
  }
  return true;
}

Link::Io Link::Establish() {
  if (!tcp_done_) {
    // SO_ERROR reads 0 while the connect is still under way: only a writable socket has an answer.
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, 0) == 0) return Io::kWantWrite;
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error == EINPROGRESS || error == EALREADY) return Io::kWantWrite;
    if (error != 0) {
      errno_ = error;
      return Io::kReset;
    }
    tcp_done_ = true;
  }
  if (ssl_ == nullptr || tls_done_) return Io::kDone;
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    tls_done_ = true;
    return Io::kDone;
  }
  return TlsResult(rc);
}

Link::Io Link::TlsResult(int rc) {
  const int err = SSL_get_error(ssl_, rc);
  ERR_clear_error();
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kClosed;
    case SSL_ERROR_SYSCALL:
      errno_ = errno;
      // No errno: the peer closed the TCP connection without a close_notify, an orderly EOF.
      return errno_ == 0 ? Io::kClosed : Io::kReset;
    default:
      errno_ = EPROTO;
      return Io::kReset;
  }
}

Link::Io Link::Send(const char* data, size_t n, size_t* sent) {
  *sent = 0;
  if (n == 0) return Io::kDone;
  if (ssl_ != nullptr) {
    errno = 0;
    const int rc = SSL_write(ssl_, data, static_cast<int>(n));
    if (rc > 0) {
      *sent = static_cast<size_t>(rc);
      return Io::kDone;
    }
    return TlsResult(rc);
  }
  const ssize_t rc = send(fd_, data, n, MSG_NOSIGNAL);
  if (rc >= 0) {
    *sent = static_cast<size_t>(rc);
    return Io::kDone;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) return Io::kWantWrite;
  errno_ = errno;
  return errno_ == EPIPE ? Io::kClosed : Io::kReset;
}

Link::Io Link::Receive(std::string* out) {
  char buf[16384];
  for (;;) {
    if (ssl_ != nullptr) {
      errno = 0;
      const int rc = SSL_read(ssl_, buf, sizeof buf);
      if (rc > 0) {
        out->append(buf, static_cast<size_t>(rc));
        continue;
      }
      const Io io = TlsResult(rc);
      // A TLS read may need a write (a key update); the next readable event retries it.
      return io == Io::kWantWrite ? Io::kWantRead : io;
    }
    const ssize_t rc = recv(fd_, buf, sizeof buf, 0);
    if (rc > 0) {
      out->append(buf, static_cast<size_t>(rc));
      continue;
    }
    if (rc == 0) return Io::kClosed;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Io::kWantRead;
    if (errno == EINTR) continue;
    errno_ = errno;
    return Io::kReset;
  }
}

void Link::Close() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  tcp_done_ = false;
  tls_done_ = false;
}

}  // namespace front
