#include "engine/net/event_loop.h"

#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "engine/net/uring_poller.h"

namespace sluice::net {

namespace {
// A distinct address marks the wake eventfd in epoll_event.data.
char kWakeTag;
std::atomic<int> gFailAdds{0};
std::atomic<int> gFailAddsErrno{0};
std::atomic<int> gFailUring{0};
// What kAuto means when SLUICE_IO is not set: see docs/performance.md, "io_uring".
constexpr IoBackend kMeasuredDefault = IoBackend::kUring;
}  // namespace

std::string_view ioBackendName(IoBackend backend) {
  switch (backend) {
    case IoBackend::kEpoll:
      return "epoll";
    case IoBackend::kUring:
      return "uring";
    default:
      return "auto";
  }
}

std::optional<IoBackend> parseIoBackend(std::string_view text) {
  if (text == "auto") return IoBackend::kAuto;
  if (text == "epoll") return IoBackend::kEpoll;
  if (text == "uring" || text == "io_uring") return IoBackend::kUring;
  return std::nullopt;
}

IoBackend resolveIoBackend(IoBackend requested) {
  if (requested != IoBackend::kAuto) return requested;
  const char* env = std::getenv("SLUICE_IO");
  if (auto parsed = parseIoBackend(env ? env : ""); parsed && *parsed != IoBackend::kAuto) return *parsed;
  return kMeasuredDefault;
}

void EventLoop::failNextUringSetups(int n) { gFailUring.store(n); }

void EventLoop::failNextAdds(int n, int err) {
  gFailAddsErrno.store(err);
  gFailAdds.store(n);
}

EventLoop::EventLoop(std::shared_ptr<LoopClock> clock, IoBackend backend)
    : clock_(clock ? std::move(clock) : SteadyLoopClock::instance()) {
  owner_.store(std::this_thread::get_id());
  now_ = clock_->now();
  clock_->attach(this);
  if (resolveIoBackend(backend) == IoBackend::kUring) {
    auto poller = gFailUring.load() > 0 && gFailUring.fetch_sub(1) > 0
                      ? Result<std::unique_ptr<UringPoller>>(fail(ErrorCode::kSystem, "io_uring set-up refused (test)"))
                      : UringPoller::create();
    if (poller)
      uring_ = std::move(*poller);
    else
      backendNote_ = "io_uring unavailable, using epoll: " + poller.error().message;
  }
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    initError_ = Error::system("cannot create the event loop (epoll_create1)", errno);
    return;
  }
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakefd_ < 0) {
    initError_ = Error::system("cannot create the event loop's wake-up descriptor (eventfd)", errno);
    return;
  }
  if (uring_) {
    if (auto st = uring_->add(wakefd_, EPOLLIN, &wakeWatch_); !st) initError_ = st.error();
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &kWakeTag;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev) != 0)
    initError_ = Error::system("cannot watch the event loop's wake-up descriptor (epoll_ctl)", errno);
}

std::optional<Error> EventLoop::runError() const {
  std::lock_guard lock(runErrorMutex_);
  return runError_;
}

void EventLoop::wake() {
  if (wakefd_ < 0) return;
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop wakes anyway.
  // EBADF cannot happen while the loop exists; nothing else is possible for an eventfd.
  while (::write(wakefd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

EventLoop::~EventLoop() {
  clock_->detach(this);
  uring_.reset();  // before the descriptors its watches name
  if (wakefd_ >= 0) ::close(wakefd_);
  if (epfd_ >= 0) ::close(epfd_);
}

void EventLoop::stop() {
  stopping_.store(true, std::memory_order_release);
  wake();
}

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(mailboxMutex_);
    mailbox_.push_back(std::move(task));
  }
  // Only the first poster since the last drain pays for the eventfd write.
  if (!wakePending_.exchange(true, std::memory_order_acq_rel)) wake();
}

Status EventLoop::add(int fd, uint32_t events, IoHandler* handler) {
  if (gFailAdds.load(std::memory_order_relaxed) > 0 && gFailAdds.fetch_sub(1) > 0)
    return sluice::unexpected(Error::system("epoll_ctl(ADD)", gFailAddsErrno.load()));
  if (uring_) return uring_->add(fd, events, handler);
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) return sluice::unexpected(Error::system("epoll_ctl(ADD)", errno));
  return {};
}

Status EventLoop::modify(int fd, uint32_t events, IoHandler* handler) {
  if (uring_) return uring_->modify(fd, events, handler);
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0) return sluice::unexpected(Error::system("epoll_ctl(MOD)", errno));
  return {};
}

Status EventLoop::remove(int fd) {
  if (uring_) return uring_->remove(fd);
  if (::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr) != 0) return sluice::unexpected(Error::system("epoll_ctl(DEL)", errno));
  return {};
}

EventLoop::TimerId EventLoop::runAfter(std::chrono::milliseconds delay, Task fn) {
  return runAt(clock_->now() + delay, std::move(fn));
}

EventLoop::TimerId EventLoop::runAt(Clock::time_point when, Task fn) {
  TimerId id = nextTimerId_++;
  timers_.emplace(id, std::move(fn));
  timerHeap_.push_back({when, id});
  std::push_heap(timerHeap_.begin(), timerHeap_.end(), std::greater<>{});
  return id;
}

void EventLoop::cancel(TimerId id) { timers_.erase(id); }

int EventLoop::nextTimeoutMs() {
  if (!deferred_.empty() || (uring_ && uring_->hasReady())) return 0;
  // Drop cancelled entries sitting on top so they don't cause early wakeups.
  while (!timerHeap_.empty() && !timers_.contains(timerHeap_.front().id)) {
    std::pop_heap(timerHeap_.begin(), timerHeap_.end(), std::greater<>{});
    timerHeap_.pop_back();
  }
  if (timerHeap_.empty()) return -1;
  auto delta = timerHeap_.front().when - clock_->now();
  if (delta <= Clock::duration::zero()) return 0;
  if (clock_->manual()) return -1;  // time moves only by advance(), which wakes us
  // Round up so a timer never fires early.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(delta).count();
  return static_cast<int>(std::min<int64_t>(ms, 60'000));
}

void EventLoop::runTimers() {
  while (!timerHeap_.empty() && timerHeap_.front().when <= now_) {
    TimerEntry top = timerHeap_.front();
    std::pop_heap(timerHeap_.begin(), timerHeap_.end(), std::greater<>{});
    timerHeap_.pop_back();
    auto it = timers_.find(top.id);
    if (it == timers_.end()) continue;
    Task fn = std::move(it->second);
    timers_.erase(it);
    fn();
  }
}

void EventLoop::runMailbox() {
  uint64_t value;
  // Resets the eventfd counter; EAGAIN (already reset) is the only failure and harmless.
  while (::read(wakefd_, &value, sizeof value) < 0 && errno == EINTR) {
  }
  wakePending_.store(false, std::memory_order_release);
  std::vector<Task> batch;
  {
    std::lock_guard lock(mailboxMutex_);
    batch.swap(mailbox_);
  }
  for (auto& task : batch) task();
}

void EventLoop::runDeferred() {
  // Two vectors swapped back and forth keep their capacity: no allocation per batch.
  while (!deferred_.empty()) {
    deferredRunning_.swap(deferred_);
    for (auto& task : deferredRunning_) task();
    deferredRunning_.clear();
  }
}

void EventLoop::run() {
  owner_.store(std::this_thread::get_id());
  if (uring_)
    runUring();
  else
    runEpoll();
  // Run whatever was posted before stop so that shutdown commands complete.
  runMailbox();
  runDeferred();
  stopping_.store(false);
}

void EventLoop::afterWait(bool woke) {
  if (woke) runMailbox();
  runTimers();
  runDeferred();
}

void EventLoop::runEpoll() {
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (!stopping_.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epfd_, events, kMaxEvents, nextTimeoutMs());
    if (n < 0 && errno != EINTR) {
      std::lock_guard lock(runErrorMutex_);
      runError_ = Error::system("epoll_wait", errno);
      break;
    }
    n = std::max(n, 0);
    ++iterations_;
    now_ = clock_->now();
    bool woke = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == &kWakeTag) {
        woke = true;
        continue;
      }
      static_cast<IoHandler*>(events[i].data.ptr)->onIo(events[i].events);
    }
    afterWait(woke);
  }
}

void EventLoop::runUring() {
  if (auto st = uring_->enable(); !st) {
    std::lock_guard lock(runErrorMutex_);
    runError_ = st.error();
    return;
  }
  while (!stopping_.load(std::memory_order_acquire)) {
    // An idle loop returns once a second and yields: valgrind (callgrind: the instruction
    // counts in docs/performance.md) runs one thread at a time and does not let go of it
    // while that thread blocks in io_uring_enter, so no other thread, nor a stop signal,
    // would run while the loop waits. Two system calls a second, and only when idle.
    constexpr int kLongestWaitMs = 1000;
    int timeout = nextTimeoutMs();
    const bool capped = timeout < 0 || timeout > kLongestWaitMs;
    if (capped) timeout = kLongestWaitMs;
    int rc = uring_->wait(timeout);
    if (rc < 0) {
      std::lock_guard lock(runErrorMutex_);
      runError_ = Error::system("io_uring_enter", -rc);
      break;
    }
    if (rc == UringPoller::kTimedOut && capped) sched_yield();
    ++iterations_;
    now_ = clock_->now();
    wakeWatch_.fired = false;
    uring_->dispatch();
    afterWait(wakeWatch_.fired);
  }
}

LoopThread::LoopThread(std::string name, std::shared_ptr<LoopClock> clock, IoBackend backend)
    : loop_(std::move(clock), backend), name_(std::move(name)) {}

LoopThread::~LoopThread() { stopAndJoin(); }

void LoopThread::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    loop_.run();
  });
}

void LoopThread::stopAndJoin() {
  if (thread_.joinable()) {
    loop_.stop();
    thread_.join();
  }
}

void LoopThread::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::net
