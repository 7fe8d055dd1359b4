#include "engine/observe/event_drainer.h"

#include <chrono>

namespace sluice::observe {

EventDrainer::EventDrainer(EventBuffer& buffer, BatchFn fn) : buffer_(buffer), fn_(std::move(fn)) {
  thread_ = std::thread([this] { run(); });
}

EventDrainer::~EventDrainer() { stop(); }

void EventDrainer::stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  buffer_.wake();
  thread_.join();
}

void EventDrainer::run() {
  // Events are taken in batches at most every kInterval: waking this thread for each
  // event made the producing loop pay a futex wake and lock contention per event (the
  // CLI's sequential request loop ran at half speed). At 65,536 events per buffer, a
  // producer would need 6.5 million events a second to fill it between two drains.
  constexpr auto kInterval = std::chrono::milliseconds(10);
  std::vector<Event> batch;
  for (;;) {
    // The timeout only bounds a missed wake(); the first event and stop() end the wait.
    bool last = stop_.load(std::memory_order_acquire);
    size_t n = buffer_.drainWait(batch, std::chrono::milliseconds(500));
    drained_.fetch_add(n, std::memory_order_relaxed);
    if (n > 0 && fn_) fn_(batch);
    batch.clear();
    if (last) return;
    if (n > 0 && !stop_.load(std::memory_order_acquire)) std::this_thread::sleep_for(kInterval);
  }
}

}  // namespace sluice::observe
