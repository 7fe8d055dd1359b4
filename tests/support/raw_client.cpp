#include "support/raw_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sluice::test {

using Clock = std::chrono::steady_clock;

namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::optional<std::string> RawResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (ieq(k, name)) return v;
  return std::nullopt;
}

RawClient::~RawClient() { close(); }

RawClient::RawClient(RawClient&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), buf_(std::move(o.buf_)), error_(std::move(o.error_)), peer_(o.peer_) {}

RawClient& RawClient::operator=(RawClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    buf_ = std::move(o.buf_);
    error_ = std::move(o.error_);
    peer_ = o.peer_;
  }
  return *this;
}

bool RawClient::connect(uint16_t port, std::chrono::milliseconds timeout, int receiveBuffer) {
  close();
  buf_.clear();
  peer_ = PeerState::kOpen;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Before connect, so the window the peer sees is small from the handshake on.
  if (receiveBuffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS) {
      error_ = std::string("connect: ") + std::strerror(errno);
      close();
      return false;
    }
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
      error_ = "connect timed out";
      close();
      return false;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      error_ = std::string("connect: ") + std::strerror(err);
      close();
      return false;
    }
  }
  return true;
}

bool RawClient::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return false;
  auto deadline = Clock::now() + timeout;
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, msLeft(deadline)) <= 0) {
        error_ = "send timed out after " + std::to_string(off) + " of " + std::to_string(bytes.size()) + " bytes";
        return false;
      }
      continue;
    }
    error_ = std::string("send: ") + std::strerror(errno);
    if (errno == ECONNRESET || errno == EPIPE) peer_ = errno == ECONNRESET ? PeerState::kReset : PeerState::kClosed;
    return false;
  }
  return true;
}

void RawClient::shutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::reset() {
  if (fd_ < 0) return;
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close();
}

size_t RawClient::fill(Clock::time_point deadline) {
  if (fd_ < 0 || peer_ != PeerState::kOpen) return 0;
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, msLeft(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;  // timeout
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (n == 0) {
      peer_ = PeerState::kClosed;
      return 0;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    peer_ = errno == ECONNRESET ? PeerState::kReset : PeerState::kClosed;
    error_ = std::string("recv: ") + std::strerror(errno);
    return 0;
  }
}

bool RawClient::waitReadable(std::chrono::milliseconds timeout) {
  if (!buf_.empty()) return true;
  size_t before = buf_.size();
  fill(Clock::now() + timeout);
  return buf_.size() > before || peer_ != PeerState::kOpen;
}

RawClient::PeerState RawClient::readUntilClose(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (peer_ == PeerState::kOpen && fd_ >= 0 && Clock::now() < deadline) fill(deadline);
  return peer_;
}

int RawClient::tryParse(RawResponse& out, bool headRequest, bool atEof) {
  size_t headEnd = buf_.find("\r\n\r\n");
  if (headEnd == std::string::npos) return 0;
  RawResponse r;
  r.head = buf_.substr(0, headEnd + 4);
  std::string_view head(r.head);
  size_t lineEnd = head.find("\r\n");
  std::string_view statusLine = head.substr(0, lineEnd);
  // "HTTP/1.1 200 OK"
  if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/") {
    error_ = "malformed status line: " + std::string(statusLine);
    return -1;
  }
  r.version = std::string(statusLine.substr(0, 8));
  r.status = std::atoi(std::string(statusLine.substr(9, 3)).c_str());
  if (statusLine.size() > 13) r.reason = std::string(statusLine.substr(13));
  size_t pos = lineEnd + 2;
  while (pos < headEnd) {
    size_t e = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error_ = "malformed header line: " + std::string(line);
      return -1;
    }
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  size_t bodyStart = headEnd + 4;
  bool noBody = headRequest || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  if (noBody) {
    buf_.erase(0, bodyStart);
    out = std::move(r);
    return 1;
  }
  auto te = r.header("Transfer-Encoding");
  auto cl = r.header("Content-Length");
  if (te && ieq(trim(*te), "chunked")) {
    r.chunked = true;
    size_t p = bodyStart;
    std::string body;
    while (true) {
      size_t e = buf_.find("\r\n", p);
      if (e == std::string::npos) return 0;
      std::string sizeLine = buf_.substr(p, e - p);
      size_t semi = sizeLine.find(';');
      if (semi != std::string::npos) sizeLine.resize(semi);
      char* endp = nullptr;
      unsigned long long n = std::strtoull(sizeLine.c_str(), &endp, 16);
      if (sizeLine.empty() || (endp && *endp && *endp != ' ')) {
        error_ = "malformed chunk size: " + sizeLine;
        return -1;
      }
      p = e + 2;
      if (n == 0) {
        // Trailers until an empty line.
        while (true) {
          size_t t = buf_.find("\r\n", p);
          if (t == std::string::npos) return 0;
          bool empty = t == p;
          p = t + 2;
          if (empty) break;
        }
        break;
      }
      if (buf_.size() < p + n + 2) return 0;
      body.append(buf_, p, n);
      p += n + 2;
    }
    r.body = std::move(body);
    buf_.erase(0, p);
    out = std::move(r);
    return 1;
  }
  if (cl) {
    unsigned long long n = std::strtoull(cl->c_str(), nullptr, 10);
    if (buf_.size() < bodyStart + n) return 0;
    r.body = buf_.substr(bodyStart, n);
    buf_.erase(0, bodyStart + n);
    out = std::move(r);
    return 1;
  }
  // Close-delimited.
  if (!atEof) return 0;
  r.body = buf_.substr(bodyStart);
  buf_.clear();
  out = std::move(r);
  return 1;
}

std::optional<RawResponse> RawClient::readResponse(std::chrono::milliseconds timeout, bool headRequest) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    RawResponse r;
    int got = tryParse(r, headRequest, peer_ != PeerState::kOpen);
    if (got == 1) return r;
    if (got < 0) return std::nullopt;
    if (peer_ != PeerState::kOpen || fd_ < 0) {
      if (error_.empty()) error_ = "connection closed before a complete response";
      return std::nullopt;
    }
    if (Clock::now() >= deadline) {
      error_ = "timed out waiting for a response (" + std::to_string(buf_.size()) + " bytes so far)";
      return std::nullopt;
    }
    fill(deadline);
  }
}

std::optional<RawResponse> RawClient::readFinalResponse(std::chrono::milliseconds timeout, bool headRequest,
                                                        std::vector<int>* interim) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto r = readResponse(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()), headRequest);
    if (!r) return r;
    if (r->status >= 200) return r;
    if (interim) interim->push_back(r->status);
  }
}

std::string makeRequest(std::string_view method, std::string_view target, std::string_view extraHeaders,
                        std::string_view body) {
  std::string s;
  s.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  s.append(extraHeaders);
  s.append("\r\n");
  s.append(body);
  return s;
}

std::optional<RawResponse> fetch(uint16_t port, std::string_view request, std::chrono::milliseconds timeout,
                                 bool headRequest) {
  RawClient c;
  if (!c.connect(port, timeout)) return std::nullopt;
  if (!c.send(request, timeout)) return std::nullopt;
  return c.readFinalResponse(timeout, headRequest);
}

}  // namespace sluice::test
