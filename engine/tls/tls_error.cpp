#include "engine/tls/tls_error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstring>

namespace sluice::tls {

std::string drainErrorQueue() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

namespace {

struct Wording {
  FailureKind kind;
  const char* what;
  const char* hint;
};

Wording verifyWording(long vr) {
  switch (vr) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return {FailureKind::kExpired, "the server's certificate has expired",
              "the server must renew its certificate (check this machine's clock too); -k skips the check"};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {FailureKind::kNotYetValid, "the server's certificate is not yet valid",
              "check this machine's clock and the certificate's start date; -k skips the check"};
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return {FailureKind::kHostnameMismatch, "the server's certificate is for another name",
              "use a host name that the certificate lists (its SANs), or fix the certificate; -k skips the check"};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return {FailureKind::kSelfSigned, "the server's certificate is self-signed and not trusted",
              "trust it with --cacert FILE (the server's certificate), or use -k to skip verification"};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return {FailureKind::kUnknownCa, "the server's certificate is signed by an unknown certificate authority",
              "trust the issuing CA with --cacert FILE or --capath DIR, or use -k to skip verification"};
    default:
      return {FailureKind::kOtherVerify, "the server's certificate did not verify", "use --cacert for a private CA, or -k to skip verification"};
  }
}

bool reasonIs(unsigned long e, int reason) { return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == reason; }

constexpr const char* kPrefix = "TLS handshake with ";

}  // namespace

Error handshakeError(SSL* ssl, int sslErr, int sysErr, std::string_view peer, bool verifyEnabled) {
  unsigned long first = ERR_peek_error();
  std::string reason = drainErrorQueue();
  std::string head = kPrefix + std::string(peer) + " failed: ";
  long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verifyEnabled && vr != X509_V_OK && reasonIs(first, SSL_R_CERTIFICATE_VERIFY_FAILED)) {
    Wording w = verifyWording(vr);
    return Error::make(ErrorCode::kTls, head + w.what + " (OpenSSL: " + X509_verify_cert_error_string(vr) + "); " + w.hint);
  }
  if (reasonIs(first, SSL_R_WRONG_VERSION_NUMBER) || reasonIs(first, SSL_R_PACKET_LENGTH_TOO_LONG) ||
      reasonIs(first, SSL_R_HTTP_REQUEST))
    return Error::make(ErrorCode::kTls, head + "the peer does not speak TLS (OpenSSL: " + reason +
                                            "); it may be a plain-HTTP port: try http:// or the right port");
  if (sslErr == SSL_ERROR_SYSCALL || sslErr == SSL_ERROR_ZERO_RETURN || reasonIs(first, SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
    std::string why = sysErr ? std::strerror(sysErr) : "connection closed";
    return Error::make(ErrorCode::kTls, head + "the peer closed the connection during the handshake (" + why +
                                            (reason.empty() ? "" : "; OpenSSL: " + reason) +
                                            "); it may not speak TLS on this port, or it rejected our settings");
  }
  if (reason.empty()) reason = "no reason given";
  return Error::make(ErrorCode::kTls, head + "the peers could not agree (OpenSSL: " + reason +
                                          "); check --tls-min/--tls-max and the cipher lists against what the server offers");
}

Error handshakeTimeout(std::string_view peer, long long ms) {
  return Error::make(ErrorCode::kTimeout, kPrefix + std::string(peer) + " did not finish within " + std::to_string(ms) +
                                              " ms: the peer accepted TCP but does not answer the TLS ClientHello; "
                                              "it may not speak TLS on this port");
}

FailureKind classify(const Error& e) {
  const std::string& m = e.message;
  if (e.code == ErrorCode::kTimeout) return FailureKind::kTimeout;
  if (m.find("has expired") != std::string::npos) return FailureKind::kExpired;
  if (m.find("not yet valid") != std::string::npos) return FailureKind::kNotYetValid;
  if (m.find("for another name") != std::string::npos) return FailureKind::kHostnameMismatch;
  if (m.find("self-signed") != std::string::npos) return FailureKind::kSelfSigned;
  if (m.find("unknown certificate authority") != std::string::npos) return FailureKind::kUnknownCa;
  if (m.find("did not verify") != std::string::npos) return FailureKind::kOtherVerify;
  if (m.find("does not speak TLS") != std::string::npos) return FailureKind::kNotTls;
  if (m.find("closed the connection during") != std::string::npos) return FailureKind::kPeerClosed;
  if (m.find("TLS setup") != std::string::npos) return FailureKind::kLocalSetup;
  return FailureKind::kProtocol;
}

Error setupError(std::string what) {
  std::string reason = drainErrorQueue();
  return Error::make(ErrorCode::kInvalidArgument, "TLS setup: " + what + (reason.empty() ? "" : " (OpenSSL: " + reason + ")"));
}

}  // namespace sluice::tls
