#include "engine/observe/event_buffer.h"

namespace sluice::observe {

int64_t monotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool EventBuffer::push(Event ev) {
  if (ev.timeNs == 0) ev.timeNs = monotonicNs();
  std::function<void()> notify;
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    if (items_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    first = items_.empty();
    if (first) notify = notifier_;
    items_.push_back(std::move(ev));
  }
  pushed_.fetch_add(1, std::memory_order_relaxed);
  if (first) cv_.notify_one();
  if (notify) notify();
  return true;
}

size_t EventBuffer::drainWait(std::vector<Event>& out, std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return !items_.empty() || woken_; });
    woken_ = false;
  }
  return drain(out);
}

void EventBuffer::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

size_t EventBuffer::drain(std::vector<Event>& out) {
  std::vector<Event> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(items_);
  }
  size_t n = batch.size();
  if (out.empty()) out = std::move(batch);
  else out.insert(out.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
  return n;
}

void EventBuffer::setNotifier(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  notifier_ = std::move(fn);
}

}  // namespace sluice::observe
