#pragma once
/**
 * The byte pipe under a client connection: plain TCP, or TLS over it (chosen by URL
 * scheme in makeTransport()). A TLS transport adds a handshake step after connect.
 */
#include <sys/types.h>

#include <memory>
#include <string_view>

#include "engine/net/socket.h"
#include "engine/tls/cert_info.h"
#include "engine/util/error.h"

namespace sluice::tls {
class TlsContext;
}

namespace sluice::client {

/** n > 0: bytes moved; n == 0: end of stream (reads); n < 0: err holds errno (EAGAIN: try later). */
struct IoResult {
  ssize_t n = 0;
  int err = 0;
  bool wouldBlock() const { return n < 0 && (err == EAGAIN || err == EWOULDBLOCK); }
  bool wantWrite = false;  ///< with EAGAIN: wait for writability (TLS may need to write to read)
};

/** Where a handshake stands: done, waiting for readability or writability, or failed. */
enum class HandshakeStep { kDone, kWantRead, kWantWrite, kFailed };

class Transport {
 public:
  virtual ~Transport() = default;
  /** Starts a non-blocking connect; completion is signalled by writability. */
  virtual Status connect(const net::SocketAddress& addr) = 0;
  /** After writability: 0 when connected, else the errno. */
  virtual int finishConnect() = 0;
  virtual int fd() const = 0;
  virtual IoResult read(char* buf, size_t n) = 0;
  virtual IoResult write(const char* buf, size_t n) = 0;
  /**
   * For an idle connection: false when bytes are waiting (TLS: inside OpenSSL) or, with
   * probeSocket, when the socket is readable or the peer closed (a MSG_PEEK recv).
   */
  virtual bool idleAlive(bool probeSocket) = 0;
  virtual void close() = 0;

  // ---- TLS (the plain transport has no handshake) -----------------------------
  /** One handshake step after connect; kFailed leaves a worded handshakeError(). */
  virtual HandshakeStep handshake() { return HandshakeStep::kDone; }
  virtual bool needsHandshake() const { return false; }
  virtual Error handshakeError() const { return {}; }
  /** Bytes already decrypted but not yet read: read again before waiting on epoll. */
  virtual bool pending() const { return false; }
  /** After the handshake: version, cipher, peer chain, verification; nullptr for plain TCP. */
  virtual std::shared_ptr<const tls::ConnectionInfo> tlsInfo() const { return nullptr; }
  virtual bool tlsResumed() const { return false; }
};

/**
 * The transport for a URL scheme, or nullptr when the scheme is not supported. https
 * needs tlsCtx, and host and port (SNI, the name to verify, the session cache key).
 */
std::unique_ptr<Transport> makeTransport(std::string_view scheme, std::shared_ptr<tls::TlsContext> tlsCtx = nullptr,
                                         const std::string& host = {}, uint16_t port = 0);

}  // namespace sluice::client
