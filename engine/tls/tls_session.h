#pragma once
/**
 * One non-blocking TLS connection over a socket our event loop owns. OpenSSL reads
 * and writes the socket itself (a socket BIO); every call returns at once and says
 * which readiness it waits for, so the caller keeps driving it from epoll
 * (docs/tls.md says why not memory BIOs).
 */
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/tls/cert_info.h"
#include "engine/tls/tls_context.h"
#include "engine/util/error.h"

typedef struct ssl_st SSL;

namespace sluice::tls {

class TlsSession {
 public:
  /** Where a handshake stands after one step. */
  enum class Step { kDone, kWantRead, kWantWrite, kFailed };
  /** n > 0: bytes; n == 0: the peer closed; n < 0: err is errno (EAGAIN: wait for wantWrite ? EPOLLOUT : EPOLLIN). */
  struct Io {
    ssize_t n = 0;
    int err = 0;
    bool wantWrite = false;
  };

  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  /**
   * A client session on a connected socket: SNI (for names, not IP literals), the
   * name or IP the certificate must match, and the cached session of host:port.
   */
  static Result<std::unique_ptr<TlsSession>> client(std::shared_ptr<TlsContext> ctx, int fd, const std::string& host, uint16_t port);
  /** A server session on an accepted socket. */
  static Result<std::unique_ptr<TlsSession>> server(std::shared_ptr<TlsContext> ctx, int fd);

  /** One handshake step; on kFailed, error() says why in words. */
  Step handshake();
  const Error& error() const { return error_; }
  bool established() const { return established_; }
  /** Server side: the failed handshake began with a plain-HTTP request line. */
  bool peerSpokePlainHttp() const { return plainHttp_; }

  /** Reads up to n bytes (several records when they are there). */
  Io read(char* buf, size_t n);
  Io write(const char* buf, size_t n);
  /** Decrypted bytes held inside OpenSSL: read again before waiting on the socket. */
  bool pending() const;
  /** Sends close_notify without waiting for the answer. */
  void shutdown();

  /** Version, cipher, ALPN, resumption, the peer's chain and the verification result. */
  ConnectionInfo info() const;
  bool resumed() const;

 private:
  TlsSession(std::shared_ptr<TlsContext> ctx, SSL* ssl) : ctx_(std::move(ctx)), ssl_(ssl) {}
  Io ioFailure(int ret);

  std::shared_ptr<TlsContext> ctx_;
  SSL* ssl_;
  std::string origin_;  ///< "host:port": the session cache key (the SSL points at it)
  std::string peer_;
  Error error_;
  bool established_ = false;
  bool plainHttp_ = false;
  bool failed_ = false;
  std::optional<Io> deferred_;  ///< an end or error met after bytes that read() returned
};

}  // namespace sluice::tls
