#pragma once
/** One epoll event loop per worker thread, with an eventfd mailbox and timers. */
#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/net/loop_clock.h"
#include "engine/util/error.h"

namespace sluice::net {

/** Receives readiness events for a registered descriptor. */
class IoHandler {
 public:
  virtual void onIo(uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

/**
 * An epoll loop owned by one thread. Everything but post() and stop() must be
 * called on that thread. Other threads talk to it only through post(), which
 * queues a command and wakes the loop through an eventfd.
 */
class EventLoop {
 public:
  using TimerId = uint64_t;
  using Task = std::function<void()>;

  /** A loop reading clock (the steady clock when null). */
  explicit EventLoop(std::shared_ptr<LoopClock> clock = nullptr);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /** True when the epoll and eventfd descriptors were created and joined. */
  bool valid() const { return !initError_; }
  /** Why the loop could not be set up (valid() is false), in words. */
  const std::optional<Error>& initError() const { return initError_; }
  /** Why run() returned early (epoll_wait failed), if it did. */
  std::optional<Error> runError() const;

  /** Runs until stop(). Binds the loop to the calling thread. */
  void run();
  /** Thread-safe: asks run() to return after the current iteration. */
  void stop();
  /** Thread-safe: runs task on the loop thread, soon. */
  void post(Task task);
  bool inLoopThread() const { return std::this_thread::get_id() == owner_.load(std::memory_order_relaxed); }

  Status add(int fd, uint32_t events, IoHandler* handler);
  Status modify(int fd, uint32_t events, IoHandler* handler);
  Status remove(int fd);

  /**
   * Fault injection for tests: the next n add() calls in this process fail with
   * errno err (as epoll_ctl would with ENOMEM or ENOSPC at the watch limit).
   */
  static void failNextAdds(int n, int err);

  /** Calls fn once after delay. Returns an id for cancel(). */
  TimerId runAfter(std::chrono::milliseconds delay, Task fn);
  TimerId runAt(Clock::time_point when, Task fn);
  /** Cancelling an unknown or fired timer does nothing. */
  void cancel(TimerId id);

  /** Runs fn after the current batch of events: for deleting objects safely. */
  void defer(Task fn) { deferred_.push_back(std::move(fn)); }

  /** The time at the start of this iteration (cheap; refreshed every wakeup). */
  Clock::time_point now() const { return now_; }
  Clock::time_point refreshNow() { return now_ = clock_->now(); }
  /** The clock this loop reads (injected in tests). */
  LoopClock& clock() const { return *clock_; }

  /** Loop iterations so far (for tests and stats). */
  uint64_t iterations() const { return iterations_; }

 private:
  struct TimerEntry {
    Clock::time_point when;
    TimerId id;
    bool operator>(const TimerEntry& o) const { return when > o.when || (when == o.when && id > o.id); }
  };

  int nextTimeoutMs();
  void runTimers();
  void runMailbox();
  void runDeferred();

  void wake();

  std::shared_ptr<LoopClock> clock_;
  int epfd_ = -1;
  int wakefd_ = -1;
  std::optional<Error> initError_;
  mutable std::mutex runErrorMutex_;
  std::optional<Error> runError_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::thread::id> owner_{};
  Clock::time_point now_{};
  uint64_t iterations_ = 0;

  std::mutex mailboxMutex_;
  std::vector<Task> mailbox_;
  std::atomic<bool> wakePending_{false};

  std::vector<TimerEntry> timerHeap_;
  std::unordered_map<TimerId, Task> timers_;
  TimerId nextTimerId_ = 1;

  std::vector<Task> deferred_;
  std::vector<Task> deferredRunning_;
};

/** A thread running one EventLoop. */
class LoopThread {
 public:
  explicit LoopThread(std::string name = "sluice-loop", std::shared_ptr<LoopClock> clock = nullptr);
  ~LoopThread();
  EventLoop& loop() { return loop_; }
  void start();
  /** Stops the loop and joins the thread. Safe to call twice. */
  void stopAndJoin();
  /** Joins the thread after the loop stopped itself. */
  void join();

 private:
  EventLoop loop_;
  std::thread thread_;
  std::string name_;
};

}  // namespace sluice::net
