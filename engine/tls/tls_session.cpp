#include "engine/tls/tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <utility>

#include "engine/tls/tls_error.h"

namespace sluice::tls {

namespace {
bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}
}  // namespace

TlsSession::~TlsSession() { SSL_free(ssl_); }

Result<std::unique_ptr<TlsSession>> TlsSession::client(std::shared_ptr<TlsContext> ctx, int fd, const std::string& host, uint16_t port) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx->raw());
  if (!ssl) return sluice::unexpected(setupError("cannot create a TLS session"));
  std::unique_ptr<TlsSession> s(new TlsSession(ctx, ssl));
  s->origin_ = host + ":" + std::to_string(port);
  s->peer_ = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  SSL_set_ex_data(ssl, TlsContext::originIndex(), &s->origin_);
  if (SSL_set_fd(ssl, fd) != 1) return sluice::unexpected(setupError("cannot attach TLS to the socket"));
  // Truncation is the HTTP framing's to judge (Content-Length, chunked), as curl does.
  SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
  const bool ip = isIpLiteral(host);
  // RFC 6066 3: SNI carries DNS names only, never IP literals.
  if (!ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return sluice::unexpected(setupError("cannot set SNI '" + host + "'"));
  if (ctx->verifyPeer()) {
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) : SSL_set1_host(ssl, host.c_str());
    if (ok != 1) return sluice::unexpected(setupError("cannot set the name to verify '" + host + "'"));
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  }
  if (SSL_SESSION* cached = ctx->sessionFor(s->origin_)) SSL_set_session(ssl, cached);
  SSL_set_connect_state(ssl);
  return s;
}

Result<std::unique_ptr<TlsSession>> TlsSession::server(std::shared_ptr<TlsContext> ctx, int fd) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx->raw());
  if (!ssl) return sluice::unexpected(setupError("cannot create a TLS session"));
  std::unique_ptr<TlsSession> s(new TlsSession(ctx, ssl));
  if (SSL_set_fd(ssl, fd) != 1) return sluice::unexpected(setupError("cannot attach TLS to the socket"));
  SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_set_accept_state(ssl);
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  char buf[INET6_ADDRSTRLEN] = "?";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    if (a.ss_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&a)->sin_addr, buf, sizeof buf);
    else if (a.ss_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&a)->sin6_addr, buf, sizeof buf);
  }
  s->peer_ = buf;
  return s;
}

TlsSession::Step TlsSession::handshake() {
  if (established_) return Step::kDone;
  if (failed_) return Step::kFailed;
  ERR_clear_error();
  errno = 0;
  int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    established_ = true;
    return Step::kDone;
  }
  int sysErr = errno;
  int e = SSL_get_error(ssl_, ret);
  if (e == SSL_ERROR_WANT_READ) return Step::kWantRead;
  if (e == SSL_ERROR_WANT_WRITE) return Step::kWantWrite;
  failed_ = true;
  unsigned long first = ERR_peek_error();
  if (SSL_is_server(ssl_)) {
    plainHttp_ = ERR_GET_LIB(first) == ERR_LIB_SSL && ERR_GET_REASON(first) == SSL_R_HTTP_REQUEST;
    std::string reason = drainErrorQueue();
    error_ = Error::make(ErrorCode::kTls, "TLS handshake from " + peer_ + " failed: " +
                                              (plainHttp_ ? std::string("the client sent plain HTTP to the TLS port")
                                                          : reason.empty() ? std::string("the client closed the connection") : reason));
    return Step::kFailed;
  }
  if (!origin_.empty()) ctx_->forgetSession(origin_);
  error_ = handshakeError(ssl_, e, sysErr, peer_, ctx_->verifyPeer());
  return Step::kFailed;
}

TlsSession::Io TlsSession::ioFailure(int ret) {
  int sysErr = errno;
  int e = SSL_get_error(ssl_, ret);
  switch (e) {
    case SSL_ERROR_WANT_READ: return {-1, EAGAIN, false};
    case SSL_ERROR_WANT_WRITE: return {-1, EAGAIN, true};
    case SSL_ERROR_ZERO_RETURN: return {0, 0, false};
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (sysErr == 0) return {0, 0, false};
      return {-1, sysErr, false};
    default:
      ERR_clear_error();
      return {-1, EPROTO, false};
  }
}

TlsSession::Io TlsSession::read(char* buf, size_t n) {
  if (deferred_) return *std::exchange(deferred_, std::nullopt);
  size_t got = 0;
  while (got < n) {
    ERR_clear_error();
    errno = 0;
    size_t one = 0;
    int ret = SSL_read_ex(ssl_, buf + got, n - got, &one);
    if (ret == 1) {
      got += one;
      continue;
    }
    Io f = ioFailure(ret);
    if (got == 0) return f;
    // Report the bytes now. An end or error met after them is kept for the next call:
    // the socket may never wake epoll again (the close_notify was already read).
    if (!(f.n < 0 && f.err == EAGAIN)) deferred_ = f;
    break;
  }
  return {static_cast<ssize_t>(got), 0, false};
}

TlsSession::Io TlsSession::write(const char* buf, size_t n) {
  ERR_clear_error();
  errno = 0;
  size_t done = 0;
  int ret = SSL_write_ex(ssl_, buf, n, &done);
  if (ret == 1) return {static_cast<ssize_t>(done), 0, false};
  Io f = ioFailure(ret);
  if (f.n == 0) return {-1, EPIPE, false};
  return f;
}

bool TlsSession::pending() const { return deferred_.has_value() || SSL_pending(ssl_) > 0; }

void TlsSession::shutdown() {
  if (!established_) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);  // one close_notify; we do not wait for the peer's
  ERR_clear_error();
}

ConnectionInfo TlsSession::info() const { return describeConnection(ssl_, SSL_is_server(ssl_) ? false : ctx_->verifyPeer()); }

bool TlsSession::resumed() const { return SSL_session_reused(ssl_) == 1; }

}  // namespace sluice::tls
