#pragma once
/** Non-blocking TCP sockets: addresses, an owning descriptor, listen and connect. */
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "engine/util/error.h"

namespace sluice::net {

/** Owns one file descriptor; closes it on destruction. */
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

/** An IPv4 or IPv6 socket address. */
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  /** Parses "127.0.0.1:8080", "[::1]:0", "localhost:80" (numeric or localhost only). */
  static Result<SocketAddress> parse(std::string_view hostPort);
  static SocketAddress fromSockaddr(const sockaddr* sa, socklen_t len);
  static Result<SocketAddress> localOf(int fd);
  static Result<SocketAddress> peerOf(int fd);

  int family() const { return storage.ss_family; }
  uint16_t port() const;
  void setPort(uint16_t port);
  /** "127.0.0.1" or "::1". */
  std::string host() const;
  /** "127.0.0.1:8080" or "[::1]:8080". */
  std::string toString() const;
  bool isLoopback() const;
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

Status setNonBlocking(int fd);
Status setNoDelay(int fd);
/** Makes close() send RST instead of FIN (SO_LINGER 0). */
Status setLingerReset(int fd);

/** Opens a non-blocking listening socket. reusePort sets SO_REUSEPORT. */
Result<Fd> listenTcp(const SocketAddress& addr, bool reusePort, int backlog = 1024);
/** Starts a non-blocking connect. In-progress is success; finish with connectResult(). */
Result<Fd> connectTcp(const SocketAddress& addr);
/** After EPOLLOUT on a connecting socket: 0 or the connect errno. */
int connectResult(int fd);

}  // namespace sluice::net
