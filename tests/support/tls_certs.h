#pragma once
// Certificates for TLS tests, made with the OpenSSL API in a temp folder: a test CA,
// a good leaf for localhost/127.0.0.1/::1 signed by it, and the bad ones (expired,
// not yet valid, wrong host, self-signed, signed by an untrusted CA), plus a client
// certificate. Every file is PEM; the folder is removed by the destructor.
#include <string>

namespace sluice::test {

/** One certificate/key pair on disk. */
struct CertFiles {
  std::string cert;
  std::string key;
  std::string sha256;
};

class TlsCerts {
 public:
  TlsCerts();
  ~TlsCerts();
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

  CertFiles ca;          ///< trusted test CA (pass ca.cert as --cacert)
  CertFiles good;        ///< localhost, 127.0.0.1, ::1 signed by ca
  CertFiles expired;     ///< signed by ca, ended yesterday
  CertFiles notYetValid; ///< signed by ca, starts tomorrow
  CertFiles wrongHost;   ///< signed by ca, for other.example only
  CertFiles selfSigned;  ///< localhost, 127.0.0.1, self-signed
  CertFiles otherCa;     ///< a CA nobody trusts
  CertFiles untrusted;   ///< localhost, 127.0.0.1 signed by otherCa
  CertFiles client;      ///< a client certificate signed by ca
  std::string caDir;     ///< a --capath folder holding ca (hashed link name)

 private:
  std::string dir_;
  std::string error_;
};

}  // namespace sluice::test
