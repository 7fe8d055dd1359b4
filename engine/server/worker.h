#pragma once
/** A worker: one loop thread, its listener, and the connections it accepted. */
#include <deque>
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
  /** Bytes all connections may still send in this loop turn (ServerConfig::turnWriteBudgetBytes). */
  size_t turnWriteBudget();
  /** A connection sent n bytes of the turn's budget; stopped: it had more and must wait for the next turn. */
  void spendTurnWriteBudget(size_t n, bool stopped);
  /**
   * Queues a connection with output for the turn's write round (FIFO). The round runs
   * after the turn's accepts and reads, and serves each queued connection one quantum
   * (connectionWriteBudgetBytes) until the turn's budget is spent; the rest keep their
   * place for the next turn.
   */
  void scheduleWrite(uint64_t connectionId);
  /** Connections waiting in the write round (under contention, new writes queue behind them). */
  bool writersWaiting() const { return !writers_.empty(); }

 private:
  void acceptSome();
  void pauseAccept(std::chrono::milliseconds retry, const std::string& why);
  void notice(std::string text);
  void resumeAccept();
  void checkStopDone();
  /** After a burst of connections ends, hands freed heap back to the system (malloc_trim). */
  void noteConnectionsFell();
  void trimMemory();
  void serveWriters();

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
  uint64_t budgetTurn_ = 0;        ///< the loop iteration turnBudgetLeft_ belongs to
  size_t turnBudgetLeft_ = 0;
  size_t burstPeak_ = 0;           ///< most open connections since the last trim
  net::EventLoop::TimerId trimTimer_ = 0;
  std::deque<uint64_t> writers_;   ///< connections waiting for the write round, in order
  net::EventLoop::TimerId writersTimer_ = 0;
  std::chrono::steady_clock::time_point stopDeadline_{};
};

}  // namespace sluice::server
