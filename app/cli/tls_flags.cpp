#include "app/cli/tls_flags.h"

#include <cstdio>
#include <sstream>

#include "engine/tls/cert_maker.h"

namespace sluice::cli {

FlagResult parseTlsFlag(tls::ClientSettings& s, int argc, char** argv, int& i) {
  std::string_view a = argv[i];
  auto value = [&]() -> const char* {
    if (i + 1 < argc) return argv[++i];
    std::fprintf(stderr, "sluice-cli request: %.*s needs a value\n", static_cast<int>(a.size()), a.data());
    return nullptr;
  };
  auto version = [&](tls::Version& out, const char* v) {
    if (!v) return FlagResult::kBad;
    auto parsed = tls::parseVersion(v);
    if (!parsed) return std::fprintf(stderr, "sluice-cli request: %.*s: %s\n", static_cast<int>(a.size()), a.data(), parsed.error().message.c_str()), FlagResult::kBad;
    out = *parsed;
    return FlagResult::kTaken;
  };
  auto text = [&](std::string& out) {
    const char* v = value();
    if (!v) return FlagResult::kBad;
    out = v;
    return FlagResult::kTaken;
  };
  if (a == "-k" || a == "--insecure") return s.verify = false, FlagResult::kTaken;
  if (a == "--cacert") return text(s.caFile);
  if (a == "--capath") return text(s.caPath);
  if (a == "-E" || a == "--cert") return text(s.certFile);
  if (a == "--key") return text(s.keyFile);
  if (a == "--ciphers") return text(s.ciphers);
  if (a == "--tls13-ciphers") return text(s.tls13Ciphers);
  if (a == "--tls-min") return version(s.minVersion, value());
  if (a == "--tls-max") return version(s.maxVersion, value());
  if (a == "--tlsv1.2" || a == "--tlsv1.3") return version(s.minVersion, argv[i] + 6);  // curl: "at least this version"
  return FlagResult::kNotMine;
}

const char* tlsUsage() {
  return "  -k, --insecure            do not verify the server's certificate (connections stay apart from verified ones)\n"
         "      --cacert FILE         trust the CA certificates in FILE (PEM) instead of the system store\n"
         "      --capath DIR          trust the CA certificates in DIR (hashed names, see openssl rehash)\n"
         "  -E, --cert FILE           client certificate (PEM; may hold the key)\n"
         "      --key FILE            client private key (PEM)\n"
         "      --tls-min V           lowest TLS version, 1.2 (default) or 1.3; --tlsv1.2 / --tlsv1.3 as in curl\n"
         "      --tls-max V           highest TLS version, 1.2 or 1.3\n"
         "      --ciphers LIST        TLS 1.2 cipher list (OpenSSL syntax)\n"
         "      --tls13-ciphers LIST  TLS 1.3 cipher suites\n"
         "      --tls-timeout MS      TLS handshake timeout (default 10000)\n";
}

std::string tlsVerboseLines(const client::Response& r) {
  if (!r.tls) return {};
  std::istringstream in(r.tls->summary());
  std::string out, line;
  while (std::getline(in, line)) out += "* " + line + "\n";
  return out;
}

Result<ServeTlsSetup> setupServeTls(const ServeTls& flags) {
  tls::ServerSettings s;
  std::string fingerprint;
  if (!flags.certFile.empty()) {
    s.certFile = flags.certFile;
    s.keyFile = flags.keyFile;
    auto fp = tls::fingerprintOfPemFile(flags.certFile);
    if (!fp) return sluice::unexpected(fp.error());
    fingerprint = *fp;
  } else {
    if (!flags.keyFile.empty()) return fail(ErrorCode::kInvalidArgument, "--key needs --cert");
    auto stored = tls::loadOrCreateLocalCert(tls::appDataDir());
    if (!stored) return sluice::unexpected(stored.error());
    s.certFile = stored->certPath;
    s.keyFile = stored->keyPath;
    fingerprint = stored->sha256;
  }
  auto ctx = tls::TlsContext::server(s);
  if (!ctx) return sluice::unexpected(ctx.error());
  return ServeTlsSetup{*ctx, "certificate sha256 " + fingerprint + " pem " + s.certFile};
}

}  // namespace sluice::cli
