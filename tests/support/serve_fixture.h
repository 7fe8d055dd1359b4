#pragma once
/**
 * Servers for integration tests, always on 127.0.0.1 with port 0:
 *  - CliServer runs `sluice-cli serve` (SLUICE_CLI_PATH) as a child process and
 *    parses the real port from its first stdout line;
 *  - InProcessServer runs a sluice::server::Server with the default routes.
 * Both stop what they started in their destructors. Upload folders go to a
 * temporary directory that is removed afterwards.
 */
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/site/site_options.h"
#include "engine/server/server.h"
#include "engine/server/server_config.h"
#include "support/process.h"

namespace sluice::test {

/** The sluice-cli binary under test. */
std::string cliPath();

class CliServer {
 public:
  CliServer() = default;
  ~CliServer();
  CliServer(const CliServer&) = delete;
  CliServer& operator=(const CliServer&) = delete;

  /**
   * Starts `sluice-cli serve --listen 127.0.0.1:0 --dir <temp> <args...>` (args may
   * override --listen) and waits up to timeout for the "listening on" line.
   */
  bool start(const std::vector<std::string>& args = {}, const SpawnOptions& options = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /** Why start() failed, with the child's stderr. */
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  /** "http://127.0.0.1:PORT" + path (https:// when the server said so) */
  std::string url(const std::string& path = "/") const;
  /** The first stdout line as printed. */
  const std::string& listeningLine() const { return line_; }
  ChildProcess& process() { return proc_; }
  pid_t pid() const { return proc_.pid(); }
  /** SIGTERM and a bounded wait (SIGKILL past it). */
  ExitInfo stop(std::chrono::milliseconds grace = std::chrono::seconds(8));

 private:
  ChildProcess proc_;
  std::string dir_;
  std::string error_;
  std::string line_;
  uint16_t port_ = 0;
  bool https_ = false;
};

class InProcessServer {
 public:
  InProcessServer() = default;
  ~InProcessServer();
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  /** Starts a Server with config (listen forced to 127.0.0.1:0) and the default router. */
  bool start(server::ServerConfig config = {});
  /** Same, with the route options adjusted by tweak (e.g. a proxy upstream). */
  bool start(server::ServerConfig config, const std::function<void(site::RouteOptions&)>& tweak);
  /** The upload folder of this server. */
  std::string uploadDir() const { return dir_ + "/uploads"; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return server_ ? server_->port() : 0; }
  std::string url(const std::string& path = "/") const;
  server::Server& server() { return *server_; }
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(500));
  /** Waits (bounded) until the server has read at least n bytes in all, so a manual clock may move. */
  bool waitBytesIn(uint64_t n, std::chrono::milliseconds timeout = std::chrono::seconds(2));
  /** Waits (bounded) until the server has accepted at least n connections. */
  bool waitAccepted(uint64_t n, std::chrono::milliseconds timeout = std::chrono::seconds(2));

 private:
  std::unique_ptr<server::Server> server_;
  std::string dir_;
  std::string error_;
};

/** Path of curl; empty when it is not installed. */
std::string curlPath();

}  // namespace sluice::test
