#pragma once
/** A worker: one loop thread, its listener, and the connections it accepted. */
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "engine/net/event_loop.h"
#include "engine/net/socket.h"
#include "engine/server/server_config.h"

namespace sluice::server {

class Connection;
class Server;

class Worker final : public net::IoHandler {
 public:
  Worker(Server& server, int index, net::Fd listener);
  ~Worker();

  /** Watches the listener and starts the loop thread; an error (in words) when either fails. */
  Status start();
  /** Stops accepting, closes idle connections, finishes in-flight ones up to the deadline. Blocks. */
  void stop(std::chrono::steady_clock::time_point deadline) {
    beginStop(deadline);
    join();
  }
  /** Posts the stop; join() waits for it. Lets a server stop all workers at once. */
  void beginStop(std::chrono::steady_clock::time_point deadline);
  void join();

  net::EventLoop& loop() { return thread_.loop(); }
  Server& server() { return server_; }
  int index() const { return index_; }
  const ServerConfig& config() const;
  /** Scratch space for reads that need not outlive one parse. */
  char* scratch() { return scratch_.get(); }
  size_t scratchSize() const { return scratchSize_; }

  void onIo(uint32_t events) override;
  /** Called by a connection when it has closed; destroys it after this batch. */
  void release(uint64_t connectionId);
  /** A connection's timer fired (looked up by id: the connection may be gone). */
  void onConnectionTimer(uint64_t connectionId);
  /** Reads a connection again on the next loop turn (TLS bytes held inside OpenSSL); once per turn. */
  void readSoon(uint64_t connectionId);

 private:
  void acceptSome();
  void pauseAccept(std::chrono::milliseconds retry, const std::string& why);
  void notice(std::string text);
  void resumeAccept();
  void checkStopDone();

  Server& server_;
  int index_;
  net::Fd listener_;
  net::LoopThread thread_;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::unique_ptr<char[]> scratch_;
  size_t scratchSize_;
  bool acceptPaused_ = false;
  std::unordered_set<uint64_t> readSoon_;  ///< connections with a read scheduled this turn
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stopDeadline_{};
};

}  // namespace sluice::server
