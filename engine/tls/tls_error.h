#pragma once
/** TLS failures in words: what happened, OpenSSL's reason, and what to do. */
#include <string>
#include <string_view>

#include "engine/util/error.h"

typedef struct ssl_st SSL;

namespace sluice::tls {

/** What kind of failure a handshake met; the hint follows from it. */
enum class FailureKind {
  kExpired,
  kNotYetValid,
  kHostnameMismatch,
  kSelfSigned,
  kUnknownCa,
  kOtherVerify,
  kNotTls,          ///< the peer answered with something that is not TLS (plain HTTP?)
  kPeerClosed,      ///< the peer closed during the handshake
  kProtocol,        ///< no common version or cipher, bad record, alert from the peer
  kTimeout,
  kLocalSetup,      ///< our own settings (bad file, bad cipher list)
};

/** The OpenSSL error queue as one line ("error:0A000086:SSL routines::certificate verify failed"), then cleared. */
std::string drainErrorQueue();

/**
 * The error for a failed client handshake: ssl and ret from SSL_connect, err from
 * SSL_get_error, sysErr the errno. peer is "host:port" for the message.
 */
Error handshakeError(SSL* ssl, int sslErr, int sysErr, std::string_view peer, bool verifyEnabled);
/** The error for a handshake that did not finish in time. */
Error handshakeTimeout(std::string_view peer, long long ms);
/** Classifies a finished failure (for tests and the GUI). */
FailureKind classify(const Error& e);
/** A worded error for bad local settings (a certificate that does not load, an empty cipher list). */
Error setupError(std::string what);

}  // namespace sluice::tls
