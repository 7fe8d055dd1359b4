#include "engine/tls/tls_settings.h"

#include <cctype>

namespace sluice::tls {

Result<Version> parseVersion(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t.starts_with("tlsv")) t.erase(0, 4);
  if (t == "1.2") return Version::k1_2;
  if (t == "1.3") return Version::k1_3;
  return fail(ErrorCode::kInvalidArgument, "unknown TLS version '" + std::string(text) + "': use 1.2 or 1.3");
}

const char* versionName(Version v) {
  switch (v) {
    case Version::kDefault: return "default";
    case Version::k1_2: return "1.2";
    case Version::k1_3: return "1.3";
  }
  return "?";
}

namespace {
// Length-prefixed so that no value can imitate a separator.
void field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += std::to_string(value.size());
  out += ':';
  out += value;
}
}  // namespace

std::string ClientSettings::key() const {
  ClientSettings defaults;
  std::string k;
  if (verify != defaults.verify) field(k, "v", "off");
  if (!caFile.empty()) field(k, "ca", caFile);
  if (!caPath.empty()) field(k, "cp", caPath);
  if (!certFile.empty()) field(k, "cert", certFile);
  if (!keyFile.empty()) field(k, "key", keyFile);
  if (minVersion != defaults.minVersion) field(k, "min", versionName(minVersion));
  if (maxVersion != defaults.maxVersion) field(k, "max", versionName(maxVersion));
  if (!ciphers.empty()) field(k, "ci", ciphers);
  if (!tls13Ciphers.empty()) field(k, "c13", tls13Ciphers);
  if (alpn != defaults.alpn) {
    std::string joined;
    for (const auto& p : alpn) joined += p + ",";
    field(k, "alpn", joined);
  }
  if (sessionResumption != defaults.sessionResumption) field(k, "res", "off");
  return k;
}

std::string ClientSettings::describe() const {
  std::string s = verify ? "verify on" : "verify OFF";
  if (!caFile.empty()) s += ", CA file " + caFile;
  if (!caPath.empty()) s += ", CA path " + caPath;
  if (!certFile.empty()) s += ", client cert " + certFile;
  s += std::string(", TLS ") + versionName(minVersion) + ".." + versionName(maxVersion);
  if (!ciphers.empty()) s += ", ciphers " + ciphers;
  if (!tls13Ciphers.empty()) s += ", TLS 1.3 suites " + tls13Ciphers;
  return s;
}

}  // namespace sluice::tls
