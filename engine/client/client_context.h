#pragma once
/**
 * State shared by a client, its pool and its body streams across threads: the loop
 * handle (cleared when the client goes away, so late posts are dropped safely), the
 * event buffer and the running totals. Internal to engine/client.
 */
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/client/client.h"
#include "engine/observe/event_buffer.h"

namespace sluice::net {
class EventLoop;
}

namespace sluice::client {

class ClientContext : public std::enable_shared_from_this<ClientContext> {
 public:
  ClientContext(ClientConfig config, net::EventLoop* loop);

  const ClientConfig& config() const { return config_; }
  /** Pool limits in force (loop thread). They start as config().pool and change with setLimits(). */
  const PoolLimits& limits() const { return limits_; }
  /** Loop thread only. */
  void setLimits(const PoolLimits& l) {
    limits_ = l;
    std::lock_guard lock(limitsMutex_);
    publishedLimits_ = l;
  }
  /** Any thread: a copy of the limits in force. */
  PoolLimits publishedLimits() const {
    std::lock_guard lock(limitsMutex_);
    return publishedLimits_;
  }
  observe::EventBuffer& events() { return events_; }

  /** Runs fn on the loop thread. Returns false when the client is gone. */
  bool post(std::function<void()> fn);
  /** The client is shutting down: later posts are dropped. */
  void detachLoop();

  /**
   * Records one event. Loop thread only: it is stamped now and collected with the other
   * events of this loop turn, which go into the buffer in one batch (flushEvents) at the
   * end of the turn, or sooner, before the client hands anything to its caller.
   */
  void event(observe::EventKind kind, uint64_t connId, uint64_t reqId, int code, std::string text,
             std::string detail = {}, uint64_t bytesIn = 0, uint64_t bytesOut = 0, uint64_t durationUs = 0);
  void connState(uint64_t connId, uint64_t reqId, ConnState s, std::string reason = {});
  void warning(uint64_t connId, uint64_t reqId, std::string what, std::string detail);
  /** A warning from any thread (a body stream's owner): pushed at once, not batched. */
  void warningNow(uint64_t connId, uint64_t reqId, std::string what, std::string detail);
  /** Loop thread: moves the events collected in this turn into the buffer (one lock). */
  void flushEvents();

  ClientStats stats() const;
  uint64_t nextRequestId() { return nextRequestId_.fetch_add(1, std::memory_order_relaxed); }

  // Counters (relaxed atomics; read together by stats()).
  std::atomic<uint64_t> requests{0}, failures{0}, connectionsOpened{0}, connectsFailed{0}, reused{0}, retries{0};
  std::atomic<uint64_t> doubleReleases{0}, leaks{0}, heldTooLong{0}, drainedBytes{0}, drainsKept{0};
  std::atomic<uint64_t> pooledTwiceRefused{0}, heldStreams{0};
  std::atomic<uint64_t> savedConnectUs{0}, savedTlsUs{0}, drainUs{0};
  std::atomic<uint64_t> closes[static_cast<size_t>(CloseReason::kCount)]{};

 private:
  ClientConfig config_;
  PoolLimits limits_;
  mutable std::mutex limitsMutex_;
  PoolLimits publishedLimits_;
  observe::EventBuffer events_;
  std::vector<observe::Event> turnEvents_;  ///< loop thread: this turn's events, not yet in events_
  bool flushScheduled_ = false;             ///< loop thread: a flush runs at the end of this turn
  std::mutex loopMutex_;
  net::EventLoop* loop_;
  std::atomic<uint64_t> nextRequestId_{1};
};

}  // namespace sluice::client
