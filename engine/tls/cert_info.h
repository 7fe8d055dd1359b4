#pragma once
/** What a certificate and a TLS connection say about themselves, as plain text fields. */
#include <cstdint>
#include <string>
#include <vector>

typedef struct x509_st X509;
typedef struct ssl_st SSL;

namespace sluice::tls {

/** One certificate of a peer's chain. */
struct CertInfo {
  std::string subject;            ///< RFC 2253: "CN=localhost,O=Sluice"
  std::string issuer;
  std::vector<std::string> sans;  ///< "DNS:localhost", "IP:127.0.0.1"
  std::string notBefore;          ///< "2026-12-01 22:35:09 UTC"
  std::string notAfter;
  std::string sha256;             ///< "AB:CD:..." (32 bytes, upper-case hex)
  std::string keyType;            ///< "EC P-256", "RSA"
  int keyBits = 0;
  std::string signatureAlgorithm; ///< "ecdsa-with-SHA256"
};

/** A TLS connection after its handshake. */
struct ConnectionInfo {
  std::string version;            ///< "TLSv1.3"
  std::string cipher;             ///< "TLS_AES_256_GCM_SHA384"
  std::string alpn;               ///< "http/1.1"; empty when none was agreed
  std::string sni;                ///< the name sent (client) or received (server)
  bool resumed = false;
  bool verified = false;          ///< the chain and the name checked out
  bool verifyEnabled = true;
  std::string verifyResult;       ///< "ok" or OpenSSL's words for the failure
  std::vector<CertInfo> chain;    ///< leaf first

  /** Two or three lines for -v: protocol, peer, verification. */
  std::string summary() const;
};

/** Reads one certificate. */
CertInfo describeCert(X509* cert);
/** Reads a connection after its handshake (the chain from the peer). */
ConnectionInfo describeConnection(SSL* ssl, bool verifyEnabled);
/** SHA-256 of a certificate, "AB:CD:...". */
std::string fingerprintSha256(X509* cert);

}  // namespace sluice::tls
