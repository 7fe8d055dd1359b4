#pragma once
/** Where an event loop reads the time: the steady clock, or a manual clock that tests advance. */
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace sluice::net {

using Clock = std::chrono::steady_clock;

class EventLoop;

/**
 * The time source of an event loop: timers, deadlines and durations all read it.
 * Thread-safe. manual() clocks never advance by themselves: a loop on one sleeps
 * until it is woken, and advance() wakes it.
 */
class LoopClock {
 public:
  virtual ~LoopClock() = default;
  virtual Clock::time_point now() const = 0;
  virtual bool manual() const { return false; }
  /** A loop that reads this clock; a manual clock wakes it on advance(). */
  virtual void attach(EventLoop* loop) { (void)loop; }
  virtual void detach(EventLoop* loop) { (void)loop; }
};

/** std::chrono::steady_clock. */
class SteadyLoopClock final : public LoopClock {
 public:
  Clock::time_point now() const override { return Clock::now(); }
  /** The process-wide instance loops use by default. */
  static std::shared_ptr<LoopClock> instance();
};

/**
 * A clock that moves only when told (tests). It starts at the steady clock's
 * current time, so deadlines computed before and after injection stay comparable.
 */
class ManualClock final : public LoopClock {
 public:
  ManualClock();
  Clock::time_point now() const override;
  bool manual() const override { return true; }
  void attach(EventLoop* loop) override;
  void detach(EventLoop* loop) override;
  /**
   * Moves the time forward, then waits (at most timeout) until every attached
   * loop has run the timers now due and the work they deferred. False on timeout.
   */
  bool advance(Clock::duration by, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  std::atomic<Clock::rep> ticks_;
  std::mutex mutex_;
  std::vector<EventLoop*> loops_;
};

}  // namespace sluice::net
