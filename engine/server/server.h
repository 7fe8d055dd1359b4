#pragma once
/** The streaming HTTP/1.1 server: worker loops, listeners, connections. */
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/net/socket.h"
#include "engine/observe/event_buffer.h"
#include "engine/observe/server_stats.h"
#include "engine/server/router.h"
#include "engine/server/server_config.h"

namespace sluice::server {

class Worker;

/**
 * A listen address "host:port" ("127.0.0.1:8080", "[::1]:0", "localhost:0"),
 * parsed by http::parseAuthority; the host must be numeric or localhost and
 * the port is required (0 picks a free one).
 */
Result<net::SocketAddress> parseListenAddress(std::string_view text);

/**
 * Starts config.workers loop threads, each with its own SO_REUSEPORT listener
 * (the kernel spreads connections; no acceptor hand-off, no shared queue).
 * Thread-safe: start/stop from any one controlling thread; stats and events
 * from any thread.
 */
class Server {
 public:
  Server(ServerConfig config, std::shared_ptr<const Router> router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /** Binds and starts the workers. The address is known when this returns. */
  Status start();
  /**
   * Graceful stop: stop accepting, close idle connections, let in-flight
   * responses finish up to grace, then close the rest. Blocks until done.
   */
  void stop(std::chrono::milliseconds grace);
  void stop() { stop(config_.shutdownGrace); }
  bool running() const { return running_.load(); }

  const net::SocketAddress& address() const { return address_; }
  uint16_t port() const { return address_.port(); }
  /** "http://127.0.0.1:8080" */
  std::string url() const;

  const ServerConfig& config() const { return config_; }
  /** The backend the worker loops use once started (io_uring may have fallen back to epoll). */
  net::IoBackend ioBackend() const;
  /** Why io_uring was asked for and not used, in words; empty otherwise. */
  std::string ioNote() const;
  const Router& router() const { return *router_; }
  observe::ServerStats& stats() { return stats_; }
  observe::EventBuffer& events() { return events_; }

  uint64_t nextConnectionId() { return nextConnId_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t nextRequestId() { return nextReqId_.fetch_add(1, std::memory_order_relaxed); }

 private:
  ServerConfig config_;
  std::shared_ptr<const Router> router_;
  net::SocketAddress address_;
  std::vector<std::unique_ptr<Worker>> workers_;
  observe::ServerStats stats_;
  observe::EventBuffer events_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> nextConnId_{1};
  std::atomic<uint64_t> nextReqId_{1};
};

}  // namespace sluice::server
