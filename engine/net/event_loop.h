#pragma once
/** One event loop per worker thread (epoll, or io_uring), with an eventfd mailbox and timers. */
#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/net/loop_clock.h"
#include "engine/util/error.h"

namespace sluice::net {

class UringPoller;

/**
 * How a loop waits: epoll, or io_uring (engine/net/uring_poller.h). kAuto takes the
 * SLUICE_IO environment variable ("epoll" or "uring") when set, else the measured
 * default (docs/performance.md); io_uring falls back to epoll when the kernel refuses it.
 */
enum class IoBackend { kAuto, kEpoll, kUring };
std::string_view ioBackendName(IoBackend backend);
/** "auto", "epoll" or "uring"; nullopt for anything else. */
std::optional<IoBackend> parseIoBackend(std::string_view text);
/** What kAuto means in this process. */
IoBackend resolveIoBackend(IoBackend requested);

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

  /** A loop reading clock (the steady clock when null), waiting with backend. */
  explicit EventLoop(std::shared_ptr<LoopClock> clock = nullptr, IoBackend backend = IoBackend::kEpoll);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /** True when the epoll and eventfd descriptors were created and joined. */
  bool valid() const { return !initError_; }
  /** Why the loop could not be set up (valid() is false), in words. */
  const std::optional<Error>& initError() const { return initError_; }
  /** The backend in use (never kAuto). */
  IoBackend backend() const { return uring_ ? IoBackend::kUring : IoBackend::kEpoll; }
  /** Why io_uring was asked for and not used, in words; empty otherwise. */
  const std::string& backendNote() const { return backendNote_; }
  /** The io_uring poller, when that is the backend. */
  UringPoller* uring() const { return uring_.get(); }
  /** Fault injection for tests: the next n io_uring set-ups fail as if the kernel refused them. */
  static void failNextUringSetups(int n);

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
  void runEpoll();
  void runUring();
  void afterWait(bool woke);

  /** The wake eventfd's watch under io_uring. */
  struct WakeWatch final : IoHandler {
    bool fired = false;
    void onIo(uint32_t) override { fired = true; }
  };

  std::shared_ptr<LoopClock> clock_;
  std::unique_ptr<UringPoller> uring_;
  std::string backendNote_;
  WakeWatch wakeWatch_;
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
  explicit LoopThread(std::string name = "sluice-loop", std::shared_ptr<LoopClock> clock = nullptr,
                      IoBackend backend = IoBackend::kEpoll);
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
