#pragma once
/** What a TLS context is built from: plain data, copyable, compared field by field. */
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/error.h"

namespace sluice::tls {

/** A protocol version bound. */
enum class Version : uint8_t { kDefault, k1_2, k1_3 };

/** "1.2" / "1.3" (also "tlsv1.2", "TLSv1.3"), or a worded error. */
Result<Version> parseVersion(std::string_view text);
const char* versionName(Version v);

/** Settings shared by both sides. */
struct CommonSettings {
  Version minVersion = Version::k1_2;   ///< TLS 1.2 is the floor by default
  Version maxVersion = Version::kDefault;
  std::string ciphers;                  ///< TLS 1.2 cipher list (OpenSSL syntax); empty: OpenSSL's default
  std::string tls13Ciphers;             ///< TLS 1.3 suites; empty: OpenSSL's default
  std::vector<std::string> alpn{"http/1.1"};
};

/** A client's trust and identity (curl's names in comments). */
struct ClientSettings : CommonSettings {
  bool verify = true;       ///< -k / --insecure turns it off
  std::string caFile;       ///< --cacert; empty: the system trust store
  std::string caPath;       ///< --capath
  std::string certFile;     ///< --cert (PEM, may hold the chain)
  std::string keyFile;      ///< --key (PEM); empty: the key is in certFile
  bool sessionResumption = true;

  /**
   * Every field that changes trust or identity, exactly (case-sensitive paths, unlike
   * curl before CVE-2021-22924): connections and sessions are shared only between
   * requests with the same key. Empty for the defaults.
   */
  std::string key() const;
  /** A short description for logs: "verify off, CA file x.pem, TLS 1.3..1.3". */
  std::string describe() const;
};

/** A server's certificate and protocol bounds. */
struct ServerSettings : CommonSettings {
  std::string certFile;
  std::string keyFile;
};

}  // namespace sluice::tls
