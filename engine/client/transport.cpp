#include "engine/client/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "engine/tls/tls_session.h"

namespace sluice::client {

namespace {

class TcpTransport : public Transport {
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
  bool idleAlive(bool probeSocket) override {
    if (!probeSocket) return true;
    char c;
    ssize_t r = ::recv(fd_.get(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  void close() override { fd_.reset(); }

 protected:
  net::Fd fd_;
};

/** TLS on the connected socket (OpenSSL's socket BIO; docs/tls.md says why). */
class TlsTransport final : public TcpTransport {
 public:
  TlsTransport(std::shared_ptr<tls::TlsContext> ctx, std::string host, uint16_t port)
      : ctx_(std::move(ctx)), host_(std::move(host)), port_(port) {}

  bool needsHandshake() const override { return true; }
  HandshakeStep handshake() override {
    if (!session_) {
      auto s = tls::TlsSession::client(ctx_, fd_.get(), host_, port_);
      if (!s) {
        error_ = s.error();
        return HandshakeStep::kFailed;
      }
      session_ = std::move(*s);
    }
    switch (session_->handshake()) {
      case tls::TlsSession::Step::kDone: info_ = std::make_shared<tls::ConnectionInfo>(session_->info()); return HandshakeStep::kDone;
      case tls::TlsSession::Step::kWantRead: return HandshakeStep::kWantRead;
      case tls::TlsSession::Step::kWantWrite: return HandshakeStep::kWantWrite;
      case tls::TlsSession::Step::kFailed: error_ = session_->error(); return HandshakeStep::kFailed;
    }
    return HandshakeStep::kFailed;
  }
  Error handshakeError() const override { return error_; }
  IoResult read(char* buf, size_t n) override {
    auto r = session_->read(buf, n);
    return {r.n, r.err, r.wantWrite};
  }
  IoResult write(const char* buf, size_t n) override {
    auto r = session_->write(buf, n);
    return {r.n, r.err, r.wantWrite};
  }
  bool idleAlive(bool probeSocket) override { return !session_->pending() && TcpTransport::idleAlive(probeSocket); }
  bool pending() const override { return session_ && session_->pending(); }
  void close() override {
    if (session_) session_->shutdown();  // close_notify: also keeps the session resumable
    session_.reset();
    TcpTransport::close();
  }
  std::shared_ptr<const tls::ConnectionInfo> tlsInfo() const override { return info_; }
  bool tlsResumed() const override { return session_ && session_->resumed(); }

 private:
  std::shared_ptr<tls::TlsContext> ctx_;
  std::string host_;
  uint16_t port_;
  std::unique_ptr<tls::TlsSession> session_;
  std::shared_ptr<tls::ConnectionInfo> info_;
  Error error_;
};

}  // namespace

std::unique_ptr<Transport> makeTransport(std::string_view scheme, std::shared_ptr<tls::TlsContext> tlsCtx, const std::string& host,
                                         uint16_t port) {
  if (scheme == "http") return std::make_unique<TcpTransport>();
  if (scheme == "https" && tlsCtx) return std::make_unique<TlsTransport>(std::move(tlsCtx), host, port);
  return nullptr;
}

}  // namespace sluice::client
