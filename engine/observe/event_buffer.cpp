#include "engine/observe/event_buffer.h"

#include <algorithm>

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

size_t EventBuffer::push(std::vector<Event>& batch) {
  if (batch.empty()) return 0;
  std::function<void()> notify;
  bool first = false;
  size_t taken = 0;
  {
    std::lock_guard lock(mutex_);
    first = items_.empty();
    taken = std::min(batch.size(), capacity_ - std::min(capacity_, items_.size()));
    if (first && taken > 0) notify = notifier_;
    for (size_t i = 0; i < taken; ++i) {
      if (batch[i].timeNs == 0) batch[i].timeNs = monotonicNs();
      items_.push_back(std::move(batch[i]));
    }
  }
  if (taken < batch.size()) dropped_.fetch_add(batch.size() - taken, std::memory_order_relaxed);
  pushed_.fetch_add(taken, std::memory_order_relaxed);
  batch.clear();
  if (first && taken > 0) cv_.notify_one();
  if (notify) notify();
  return taken;
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
  // An empty out trades places with the buffer, so the buffer keeps the reader's
  // capacity: producers do not regrow (and move every event again) after each drain.
  if (out.empty()) {
    std::lock_guard lock(mutex_);
    out.swap(items_);
    return out.size();
  }
  std::vector<Event> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(items_);
  }
  size_t n = batch.size();
  out.insert(out.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
  return n;
}

void EventBuffer::setNotifier(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  notifier_ = std::move(fn);
}

}  // namespace sluice::observe
