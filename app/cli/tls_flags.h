#pragma once
/** The TLS flags of sluice-cli request (curl's names) and serve, and the -v lines about a TLS connection. */
#include <string>
#include <string_view>

#include "engine/client/response.h"
#include "engine/tls/tls_context.h"
#include "engine/tls/tls_settings.h"

namespace sluice::cli {

/** What parseTlsFlag() made of an argument. */
enum class FlagResult { kNotMine, kTaken, kBad };

/**
 * Takes one TLS flag at argv[i] (and its value, advancing i): -k/--insecure, --cacert,
 * --capath, --cert, --key, --tls-min/--tlsv1.2/--tlsv1.3, --tls-max, --ciphers,
 * --tls13-ciphers. kBad has printed its worded error.
 */
FlagResult parseTlsFlag(tls::ClientSettings& s, int argc, char** argv, int& i);
/** The usage lines for those flags. */
const char* tlsUsage();
/** "* TLSv1.3, TLS_AES_256_GCM_SHA384, ALPN http/1.1, full handshake\n* peer: ...\n" or "" for plain HTTP. */
std::string tlsVerboseLines(const client::Response& r);

/** serve --tls [--cert F --key F]. */
struct ServeTls {
  bool enabled = false;
  std::string certFile;
  std::string keyFile;
};

/** The server context and the line after the listening line. */
struct ServeTlsSetup {
  std::shared_ptr<tls::TlsContext> context;
  std::string line;  ///< "certificate sha256 AB:CD:... pem /path/cert.pem"
};

/** Loads --cert/--key, or the stored self-signed certificate (made on first use). */
Result<ServeTlsSetup> setupServeTls(const ServeTls& flags);

}  // namespace sluice::cli
