#include "support/serve_fixture.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/site/site_options.h"
#include "engine/wiring/default_router.h"
#include "support/test_env.h"

namespace sluice::test {

std::string cliPath() {
#ifdef SLUICE_CLI_PATH
  return SLUICE_CLI_PATH;
#else
  return "sluice-cli";
#endif
}

std::string curlPath() {
  for (const char* p : {"/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"})
    if (::access(p, X_OK) == 0) return p;
  return {};
}

CliServer::~CliServer() {
  stop(std::chrono::seconds(3));
  removeTree(dir_);
}

bool CliServer::start(const std::vector<std::string>& args, const SpawnOptions& options, std::chrono::milliseconds timeout) {
  dir_ = makeTempDir("serve");
  std::vector<std::string> argv{cliPath(), "serve"};
  bool hasListen = false, hasDir = false;
  for (const auto& a : args) {
    hasListen = hasListen || a == "--listen";
    hasDir = hasDir || a == "--dir";
  }
  if (!hasListen) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  if (!hasDir) argv.insert(argv.end(), {"--dir", dir_ + "/uploads"});
  argv.insert(argv.end(), args.begin(), args.end());
  if (!proc_.start(argv, options)) {
    error_ = "cannot start " + cliPath() + ": " + proc_.error();
    return false;
  }
  auto line = proc_.readStdoutLine(timeout);
  if (!line) {
    auto how = proc_.wait(std::chrono::milliseconds(200));
    error_ = "no 'listening on' line from sluice-cli serve within " + std::to_string(timeout.count()) + " ms (" +
             (how ? how->describe() : std::string("still running")) + "); stderr: " + proc_.stderrText();
    return false;
  }
  line_ = *line;
  auto colon = line_.rfind(':');
  https_ = line_.rfind("listening on https://", 0) == 0;
  if ((!https_ && line_.rfind("listening on http://", 0) != 0) || colon == std::string::npos) {
    error_ = "unexpected first stdout line: '" + line_ + "'";
    return false;
  }
  port_ = static_cast<uint16_t>(std::stoi(line_.substr(colon + 1)));
  return port_ != 0;
}

std::string CliServer::url(const std::string& path) const {
  return (https_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

ExitInfo CliServer::stop(std::chrono::milliseconds grace) {
  if (proc_.pid() <= 0) return {};
  return proc_.terminate(grace);
}

InProcessServer::~InProcessServer() {
  stop();
  removeTree(dir_);
}

bool InProcessServer::start(server::ServerConfig config) { return start(std::move(config), nullptr); }

bool InProcessServer::start(server::ServerConfig config, const std::function<void(site::RouteOptions&)>& tweak) {
  dir_ = makeTempDir("inproc");
  config.listen = "127.0.0.1:0";
  site::RouteOptions routes;
  routes.uploadDir = dir_ + "/uploads";
  routes.maxBodyBytes = config.maxBodyBytes;
  routes.boundHost = "127.0.0.1";
  if (tweak) tweak(routes);
  server_ = std::make_unique<server::Server>(config, wiring::makeDefaultRouter(routes));
  auto st = server_->start();
  if (!st) {
    error_ = st.error().message;
    server_.reset();
    return false;
  }
  return true;
}

std::string InProcessServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

namespace {
template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}
}  // namespace

bool InProcessServer::waitBytesIn(uint64_t n, std::chrono::milliseconds timeout) {
  return server_ && waitFor([&] { return server_->stats().snapshot().bytesIn >= n; }, timeout);
}

bool InProcessServer::waitAccepted(uint64_t n, std::chrono::milliseconds timeout) {
  return server_ && waitFor([&] { return server_->stats().snapshot().connectionsAccepted >= n; }, timeout);
}

void InProcessServer::stop(std::chrono::milliseconds grace) {
  if (server_) server_->stop(grace);
  server_.reset();
}

}  // namespace sluice::test
