#include "engine/net/loop_clock.h"

#include <algorithm>
#include <future>

#include "engine/net/event_loop.h"

namespace sluice::net {

std::shared_ptr<LoopClock> SteadyLoopClock::instance() {
  static const std::shared_ptr<LoopClock> clock = std::make_shared<SteadyLoopClock>();
  return clock;
}

ManualClock::ManualClock() : ticks_(Clock::now().time_since_epoch().count()) {}

Clock::time_point ManualClock::now() const { return Clock::time_point(Clock::duration(ticks_.load())); }

void ManualClock::attach(EventLoop* loop) {
  std::lock_guard lock(mutex_);
  loops_.push_back(loop);
}

void ManualClock::detach(EventLoop* loop) {
  std::lock_guard lock(mutex_);
  std::erase(loops_, loop);
}

bool ManualClock::advance(Clock::duration by, std::chrono::milliseconds timeout) {
  ticks_.fetch_add(by.count());
  std::vector<std::future<void>> done;
  {
    std::lock_guard lock(mutex_);
    for (EventLoop* loop : loops_) {
      auto p = std::make_shared<std::promise<void>>();
      done.push_back(p->get_future());
      // The post wakes the loop; its timers run after the mailbox and deferred work
      // after the timers, so a task deferred from here runs once the due timers have.
      loop->post([loop, p] { loop->defer([p] { p->set_value(); }); });
    }
  }
  const auto until = Clock::now() + timeout;
  return std::all_of(done.begin(), done.end(), [&](auto& f) { return f.wait_until(until) == std::future_status::ready; });
}

}  // namespace sluice::net
