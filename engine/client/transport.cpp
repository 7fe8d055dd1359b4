#include "engine/client/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::client {

namespace {

class TcpTransport final : public Transport {
 public:
  Status connect(const net::SocketAddress& addr) override {
    auto fd = net::connectTcp(addr);
    if (!fd) return sluice::unexpected(fd.error());
    fd_ = std::move(*fd);
    return {};
  }
  int finishConnect() override {
    int err = net::connectResult(fd_.get());
    if (err == 0) net::setNoDelay(fd_.get());
    return err;
  }
  int fd() const override { return fd_.get(); }
  IoResult read(char* buf, size_t n) override {
    ssize_t r = ::recv(fd_.get(), buf, n, 0);
    return {r, r < 0 ? errno : 0};
  }
  IoResult write(const char* buf, size_t n) override {
    ssize_t r = ::send(fd_.get(), buf, n, MSG_NOSIGNAL);
    return {r, r < 0 ? errno : 0};
  }
  bool idleAlive() override {
    char c;
    ssize_t r = ::recv(fd_.get(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  void close() override { fd_.reset(); }

 private:
  net::Fd fd_;
};

}  // namespace

std::unique_ptr<Transport> makeTransport(std::string_view scheme) {
  if (scheme == "http") return std::make_unique<TcpTransport>();
  return nullptr;
}

}  // namespace sluice::client
