#include "client_raw_server.h"

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace sluice::test {

ClientRawServer::ClientRawServer(Handler handler) : handler_(std::move(handler)) {
  listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listenFd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(listenFd_, 128);
  socklen_t len = sizeof a;
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptThread_ = std::thread([this] { acceptLoop(); });
}

ClientRawServer::~ClientRawServer() {
  stopping_ = true;
  ::shutdown(listenFd_, SHUT_RDWR);
  acceptThread_.join();
  ::close(listenFd_);
  {
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
}

std::string ClientRawServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void ClientRawServer::acceptLoop() {
  for (int index = 0; !stopping_; ++index) {
    pollfd p{listenFd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      --index;
      continue;
    }
    int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      --index;
      continue;
    }
    accepts_++;
    std::lock_guard lock(mutex_);
    fds_.push_back(fd);
    threads_.emplace_back([this, fd, index] {
      handler_(fd, index);
      ::shutdown(fd, SHUT_WR);
      // The fd stays open until the destructor so its number is not reused under us.
    });
  }
}

std::string ClientRawServer::readRequest(int fd, int timeoutMs) {
  std::string buf;
  char tmp[4096];
  size_t headEnd = std::string::npos;
  size_t need = 0;
  for (;;) {
    if (headEnd == std::string::npos) {
      headEnd = buf.find("\r\n\r\n");
      if (headEnd != std::string::npos) {
        headEnd += 4;
        std::string lower = buf.substr(0, headEnd);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto cl = lower.find("content-length:");
        need = headEnd + (cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15)));
      }
    }
    if (headEnd != std::string::npos && buf.size() >= need) return buf;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) return {};
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return {};
    buf.append(tmp, static_cast<size_t>(n));
  }
}

uint64_t ClientRawServer::readBody(int fd, uint64_t n, int timeoutMs) {
  uint64_t got = 0;
  char buf[65536];
  while (got < n) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) break;
    ssize_t r = ::recv(fd, buf, std::min<uint64_t>(sizeof buf, n - got), 0);
    if (r <= 0) break;
    got += static_cast<uint64_t>(r);
  }
  return got;
}

ClientRawServer::Handler ClientRawServer::holdingOff(uint64_t first, uint64_t total, std::shared_future<void> go, std::string body) {
  return [=](int fd, int) {
    std::string head;
    char c;
    while (!head.ends_with("\r\n\r\n") && ::recv(fd, &c, 1, 0) == 1) head += c;  // byte by byte: not a body byte more
    readBody(fd, first);
    if (go.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return;
    readBody(fd, total - first);
    writeAll(fd, okResponse(body));
  };
}

bool ClientRawServer::writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string ClientRawServer::okResponse(std::string_view body, std::string_view extraHeaders) {
  std::string r = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  r += extraHeaders;
  r += "\r\n";
  r += body;
  return r;
}

}  // namespace sluice::test
