#pragma once
/**
 * TLS under a server connection, behind the same Transport seam as plain TCP. The
 * handshake runs inside the first reads (the connection's header timeout covers it);
 * wantsWrite() tells the connection when OpenSSL waits for writability, pending()
 * when decrypted bytes wait inside OpenSSL where epoll cannot see them.
 */
#include <memory>
#include <string>

#include "engine/net/uring_poller.h"
#include "engine/server/transport.h"
#include "engine/tls/tls_session.h"

namespace sluice::server {

class TlsServerTransport final : public Transport {
 public:
  TlsServerTransport(net::Fd fd, std::shared_ptr<tls::TlsContext> ctx);
  int fd() const override { return fd_.get(); }
  IoResult read(char* dst, size_t cap) override;
  IoResult writev(const iovec* iov, size_t count) override;
  IoResult sendFile(int fileFd, uint64_t offset, size_t max) override;
  void shutdownWrite() override;
  void close(bool reset) override;
  bool stagesFiles() const override { return true; }
  bool wantsWrite() const override { return wantWrite_; }
  bool pending() const override { return session_ && session_->pending(); }
  const std::string& failure() const override { return failure_; }

 private:
  IoResult handshake();
  IoResult writeStaged();
  IoResult mapIo(const tls::TlsSession::Io& r);

  net::Fd fd_;
  std::shared_ptr<tls::TlsContext> ctx_;
  std::unique_ptr<tls::TlsSession> session_;
  std::string failure_;
  bool wantWrite_ = false;
  // A TLS write that waited must be retried with the same bytes: they stay staged.
  std::string staged_;
  bool retryStaged_ = false;
};

/**
 * The transport for an accepted socket: TLS when the server has a TLS context, else
 * plain TCP, through the loop's io_uring when it has one.
 */
std::unique_ptr<Transport> makeServerTransport(net::Fd fd, const std::shared_ptr<tls::TlsContext>& tls,
                                               net::UringPoller* ring);

}  // namespace sluice::server
