#include "engine/observe/event_drainer.h"

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
  std::vector<Event> batch;
  for (;;) {
    // The timeout only bounds a missed wake(); events and stop() wake the wait at once.
    bool last = stop_.load(std::memory_order_acquire);
    size_t n = buffer_.drainWait(batch, std::chrono::milliseconds(500));
    drained_.fetch_add(n, std::memory_order_relaxed);
    if (n > 0 && fn_) fn_(batch);
    batch.clear();
    if (last) return;
  }
}

}  // namespace sluice::observe
