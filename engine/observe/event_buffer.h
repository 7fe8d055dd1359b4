#pragma once
/**
 * A bounded multi-producer event buffer. Engine loops push without waiting on
 * readers; when full, new events are dropped and counted. A reader drains
 * whole batches. An optional notifier fires when the buffer turns non-empty,
 * so a GUI bridge needs one queued call per batch, not one per event.
 */
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::observe {

enum class EventKind : uint8_t {
  // server side
  kConnectionOpened,
  kConnectionClosed,   ///< text: reason
  kRequestStarted,     ///< text: "METHOD target"; peer in detail
  kRequestProgress,    ///< bytesIn/bytesOut so far
  kRequestFinished,    ///< status, bytesIn, bytesOut, durationUs; outcome (and reason when aborted)
  kServerNotice,       ///< text: accept paused (EMFILE), limit hit, ...
  // client side (the pool)
  kClientConnState,    ///< state in code, text: reason
  kClientRequest,      ///< request outcome; text: reuse verdict
  kClientWarning,      ///< double-release, leaked, held-too-long
};

/** How a server request ended (kRequestFinished). */
enum class RequestOutcome : uint8_t {
  kComplete,  ///< the whole response left the server
  kAborted,   ///< the connection ended first (client gone, timeout, stop): bytesOut is what was sent
};

/** One event: a monotonic timestamp, the ids it concerns, and a few figures. */
struct Event {
  EventKind kind{};
  int64_t timeNs = 0;          ///< steady_clock since epoch of the clock
  uint64_t connectionId = 0;
  uint64_t requestId = 0;
  int code = 0;                ///< status code, or a state number
  uint64_t bytesIn = 0;
  uint64_t bytesOut = 0;
  uint64_t durationUs = 0;
  std::string text;
  std::string detail;
  RequestOutcome outcome = RequestOutcome::kComplete;  ///< kRequestFinished only
  std::string reason;                                  ///< kRequestFinished, aborted: why, in words
};

int64_t monotonicNs();

class EventBuffer {
 public:
  explicit EventBuffer(size_t capacity = 65536) : capacity_(capacity) {}

  /** Never blocks on readers. Returns false when the event was dropped. */
  bool push(Event ev);
  /**
   * Moves a whole batch in under one lock (a producer that collects events during a
   * loop turn). Events that do not fit are dropped and counted; timestamps already set
   * are kept. batch is left empty, its capacity kept. Returns how many were taken.
   */
  size_t push(std::vector<Event>& batch);
  /** Moves every buffered event into out (appending). Returns how many. */
  size_t drain(std::vector<Event>& out);
  /** Like drain(), but first waits up to timeout for an event (or for wake()). */
  size_t drainWait(std::vector<Event>& out, std::chrono::milliseconds timeout);
  /** Ends the current drainWait() at once (a drainer thread is stopping). */
  void wake();
  /** Called (from the pushing thread) when the buffer goes from empty to non-empty. */
  void setNotifier(std::function<void()> fn);
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t pushed() const { return pushed_.load(std::memory_order_relaxed); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::vector<Event> items_;
  std::function<void()> notifier_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> pushed_{0};
};

}  // namespace sluice::observe
