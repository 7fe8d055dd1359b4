#pragma once
/**
 * `sluice-cli serve --tls` for the TLS suites: its own data folder (so the stored
 * self-signed certificate is made fresh, or shared on purpose), and the fingerprint
 * and PEM path read from the line after "listening on".
 */
#include <string>
#include <vector>

#include "support/serve_fixture.h"
#include "support/test_env.h"

namespace sluice::test {

struct TlsServe {
  explicit TlsServe(std::string sharedDataDir = {})
      : dataDir(sharedDataDir.empty() ? makeTempDir("tls-xdg") : sharedDataDir), ownsDataDir(sharedDataDir.empty()) {}
  TlsServe(const TlsServe&) = delete;
  TlsServe& operator=(const TlsServe&) = delete;
  ~TlsServe() {
    server.stop();
    if (ownsDataDir) removeTree(dataDir);
  }

  std::string dataDir;
  bool ownsDataDir;
  CliServer server;
  std::string fingerprint;
  std::string pem;

  bool start(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "--tls");
    SpawnOptions o;
    o.env = {"XDG_DATA_HOME=" + dataDir};
    if (!server.start(args, o)) return false;
    auto line = server.process().readStdoutLine(std::chrono::seconds(5));  // "certificate sha256 FP pem PATH"
    if (!line || !line->starts_with("certificate sha256 ")) return false;
    auto pemAt = line->find(" pem ");
    fingerprint = line->substr(19, pemAt - 19);
    pem = line->substr(pemAt + 5);
    return true;
  }
  std::string url(const std::string& path) const { return "https://localhost:" + std::to_string(server.port()) + path; }
};

}  // namespace sluice::test
