#pragma once
/**
 * An OpenSSL SSL_CTX built from our settings, plus (for clients) the session cache
 * per origin that lets a new connection resume instead of a full handshake.
 * Used from one loop thread (the client's or a server worker's).
 */
#include <map>
#include <memory>
#include <string>

#include "engine/tls/tls_settings.h"
#include "engine/util/error.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_session_st SSL_SESSION;
typedef struct ssl_st SSL;

namespace sluice::tls {

class TlsContext {
 public:
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  /** A client context: trust store, client identity, bounds, ciphers, ALPN; worded error on bad settings. */
  static Result<std::shared_ptr<TlsContext>> client(const ClientSettings& settings);
  /** A server context from a certificate chain and key (PEM files). */
  static Result<std::shared_ptr<TlsContext>> server(const ServerSettings& settings);

  SSL_CTX* raw() const { return ctx_; }
  bool isClient() const { return client_; }
  bool verifyPeer() const { return verify_; }

  /** The cached session for an origin ("host:port"), or nullptr; owned by the cache. */
  SSL_SESSION* sessionFor(const std::string& origin) const;
  /** Stores (or replaces) the session for an origin; takes ownership. */
  void storeSession(const std::string& origin, SSL_SESSION* session);
  /** Drops the session of an origin (after a failure). */
  void forgetSession(const std::string& origin);
  size_t cachedSessions() const { return sessions_.size(); }

  /** The index under which an SSL* carries its origin string for the new-session callback. */
  static int originIndex();

 private:
  TlsContext(SSL_CTX* ctx, bool client, bool verify) : ctx_(ctx), client_(client), verify_(verify) {}

  SSL_CTX* ctx_;
  bool client_;
  bool verify_;
  bool resumption_ = true;
  std::map<std::string, SSL_SESSION*> sessions_;
  std::string alpnWire_;  ///< server: the protocols we accept, in wire form
};

}  // namespace sluice::tls
