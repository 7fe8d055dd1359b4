#pragma once
/**
 * A thread that drains an EventBuffer for a consumer that has no event loop of its
 * own (the CLI): every batch goes to a callback, so the buffer never fills while the
 * consumer works. stop() drains what is left, then joins.
 */
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "engine/observe/event_buffer.h"

namespace sluice::observe {

class EventDrainer {
 public:
  using BatchFn = std::function<void(std::vector<Event>& batch)>;
  /** Starts draining buffer into fn (on the drainer's thread). fn may be empty: events are then only counted. */
  EventDrainer(EventBuffer& buffer, BatchFn fn = {});
  ~EventDrainer();
  EventDrainer(const EventDrainer&) = delete;
  EventDrainer& operator=(const EventDrainer&) = delete;

  /** Drains the rest and joins. Idempotent. */
  void stop();
  /** Events taken out of the buffer so far. */
  uint64_t drained() const { return drained_.load(std::memory_order_relaxed); }

 private:
  void run();

  EventBuffer& buffer_;
  BatchFn fn_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> drained_{0};
  std::thread thread_;
};

}  // namespace sluice::observe
