#include "engine/net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace sluice::net {

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<SocketAddress> SocketAddress::parse(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail(ErrorCode::kInvalidArgument, "bad address '" + std::string(text) + "': missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return fail(ErrorCode::kInvalidArgument, "bad address '" + std::string(text) + "'");
      port = text.substr(close + 2);
    }
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail(ErrorCode::kInvalidArgument, "bad address '" + std::string(text) + "': expected HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || p > 65535)
    return fail(ErrorCode::kInvalidArgument, "bad port in '" + std::string(text) + "'");
  std::string h(host);
  if (h.empty() || h == "localhost") h = "127.0.0.1";
  SocketAddress out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(p));
    out.length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(p));
    out.length = sizeof(sockaddr_in6);
  } else {
    return fail(ErrorCode::kInvalidArgument, "bad host '" + h + "': use a numeric IPv4/IPv6 address or localhost");
  }
  return out;
}

SocketAddress SocketAddress::fromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress out;
  std::memcpy(&out.storage, sa, std::min<size_t>(len, sizeof out.storage));
  out.length = len;
  return out;
}

Result<SocketAddress> SocketAddress::localOf(int fd) {
  SocketAddress out;
  out.length = sizeof out.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&out.storage), &out.length) != 0)
    return sluice::unexpected(Error::system("getsockname", errno));
  return out;
}

Result<SocketAddress> SocketAddress::peerOf(int fd) {
  SocketAddress out;
  out.length = sizeof out.storage;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&out.storage), &out.length) != 0)
    return sluice::unexpected(Error::system("getpeername", errno));
  return out;
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

void SocketAddress::setPort(uint16_t p) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(p);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(p);
}

std::string SocketAddress::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
  if (family() == AF_INET6) ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
  return buf;
}

std::string SocketAddress::toString() const {
  if (family() == AF_INET6) return "[" + host() + "]:" + std::to_string(port());
  return host() + ":" + std::to_string(port());
}

bool SocketAddress::isLoopback() const {
  if (family() == AF_INET) {
    uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr.s_addr);
    return (a >> 24) == 127;
  }
  if (family() == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) return a6.s6_addr[12] == 127;
  }
  return false;
}

Status setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return sluice::unexpected(Error::system("fcntl(O_NONBLOCK)", errno));
  return {};
}

Status setNoDelay(int fd) {
  int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
    return sluice::unexpected(Error::system("setsockopt(TCP_NODELAY)", errno));
  return {};
}

Status setLingerReset(int fd) {
  linger lg{1, 0};
  if (::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
    return sluice::unexpected(Error::system("setsockopt(SO_LINGER)", errno));
  return {};
}

namespace {
Status enable(int fd, int level, int option, const char* name) {
  int one = 1;
  if (::setsockopt(fd, level, option, &one, sizeof one) != 0)
    return sluice::unexpected(Error::system(std::string("setsockopt(") + name + ")", errno));
  return {};
}
}  // namespace

Result<Fd> listenTcp(const SocketAddress& addr, bool reusePort, int backlog) {
  Fd fd(::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sluice::unexpected(Error::system("socket", errno));
  if (auto st = enable(fd.get(), SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"); !st) return sluice::unexpected(st.error());
  if (reusePort) {
    if (auto st = enable(fd.get(), SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"); !st) return sluice::unexpected(st.error());
  }
  if (addr.family() == AF_INET6) {
    if (auto st = enable(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY"); !st) return sluice::unexpected(st.error());
  }
  if (::bind(fd.get(), addr.sa(), addr.length) != 0)
    return sluice::unexpected(Error::system("cannot listen on " + addr.toString(), errno));
  if (::listen(fd.get(), backlog) != 0) return sluice::unexpected(Error::system("listen", errno));
  return fd;
}

Result<Fd> connectTcp(const SocketAddress& addr) {
  Fd fd(::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sluice::unexpected(Error::system("socket", errno));
  if (auto st = setNoDelay(fd.get()); !st) return sluice::unexpected(st.error());
  if (::connect(fd.get(), addr.sa(), addr.length) != 0 && errno != EINPROGRESS)
    return sluice::unexpected(Error::system("connect to " + addr.toString(), errno));
  return fd;
}

int connectResult(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

}  // namespace sluice::net
