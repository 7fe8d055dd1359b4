#pragma once
/**
 * Certificates made with the OpenSSL API: the local servers' self-signed ECDSA P-256
 * certificate (made once, stored, reused across runs) and, for tests, CAs and leaves
 * with chosen names and validity.
 */
#include <string>
#include <vector>

#include "engine/util/error.h"

namespace sluice::tls {

/** A certificate and its private key, PEM encoded. */
struct CertPair {
  std::string certPem;
  std::string keyPem;
  std::string sha256;  ///< fingerprint of the certificate, "AB:CD:..."
};

/** What to put in a new certificate. */
struct CertSpec {
  std::string commonName = "Sluice local server";
  std::vector<std::string> sans{"DNS:localhost", "IP:127.0.0.1", "IP:::1"};  ///< OpenSSL syntax
  long notBeforeSeconds = -3600;              ///< from now
  long notAfterSeconds = 825L * 24 * 3600;    ///< from now (825 days: what clients accept for a leaf)
  bool isCa = false;
  const CertPair* issuer = nullptr;           ///< sign with this CA; nullptr: self-signed
};

/** An ECDSA P-256 key and a certificate signed with SHA-256. */
Result<CertPair> makeCertificate(const CertSpec& spec);

/** Where a stored certificate lives. */
struct StoredCert {
  std::string certPath;
  std::string keyPath;
  std::string sha256;
  bool created = false;  ///< made in this call (else loaded)
};

/**
 * The local servers' certificate in dir (cert.pem, key.pem with mode 0600): loaded when
 * both exist and still valid for a day, else made and written.
 */
Result<StoredCert> loadOrCreateLocalCert(const std::string& dir);
/** The app data folder: $XDG_DATA_HOME/sluice, else ~/.local/share/sluice. */
std::string appDataDir();
/** The SHA-256 fingerprint of the first certificate in a PEM file. */
Result<std::string> fingerprintOfPemFile(const std::string& path);
/** Writes a file whole (mode for new files); worded errors. */
Status writeWholeFile(const std::string& path, const std::string& data, unsigned mode);

}  // namespace sluice::tls
