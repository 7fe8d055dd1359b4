// The epoll loop as its users see it: cross-thread post(), timers, cancel, defer, stop.
#include <QtTest/QtTest>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/net/event_loop.h"
#include "support/loop_run.h"

using namespace std::chrono_literals;
using sluice::net::Clock;
using sluice::net::EventLoop;
using sluice::net::LoopThread;
using sluice::net::ManualClock;

namespace {

using test::runOnLoop;

class PipeHandler final : public sluice::net::IoHandler {
 public:
  void onIo(uint32_t events) override {
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) bytes += static_cast<int>(n);
    lastEvents = events;
    onLoopThread = loop->inLoopThread();
    if (bytes >= 3) done.set_value();
  }
  int fd = -1;
  EventLoop* loop = nullptr;
  std::atomic<int> bytes{0};
  uint32_t lastEvents = 0;
  bool onLoopThread = false;
  std::promise<void> done;
};

}  // namespace

class TestEventLoop : public QObject {
  Q_OBJECT

 private slots:
  void postFromOtherThreadsRunsOnTheLoop();
  void postKeepsOrderPerThread();
  void timersFireInOrderAndNotEarly();
  void timersWithTheSameDeadlineKeepTheirOrder();
  void cancelStopsATimer();
  void manualClockFiresTimersOnlyWhenAdvanced();
  void stopFromAnotherThread();
  void tasksPostedBeforeStopStillRun();
  void deferRunsAfterTheCurrentTask();
  void readinessReachesTheHandler();
};

void TestEventLoop::postFromOtherThreadsRunsOnTheLoop() {
  LoopThread lt("test-loop");
  lt.start();
  EventLoop& loop = lt.loop();
  constexpr int kThreads = 4, kPerThread = 500;
  std::atomic<int> ran{0}, offLoop{0};
  std::thread::id loopThread;
  QVERIFY(runOnLoop(loop, [&] { loopThread = std::this_thread::get_id(); }));
  std::promise<void> all;
  auto fut = all.get_future();
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t)
    posters.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i)
        loop.post([&] {
          if (std::this_thread::get_id() != loopThread || !loop.inLoopThread()) ++offLoop;
          if (++ran == kThreads * kPerThread) all.set_value();
        });
    });
  for (auto& p : posters) p.join();
  QVERIFY2(fut.wait_for(5s) == std::future_status::ready, qPrintable(QString("only %1 tasks ran").arg(ran.load())));
  QCOMPARE(ran.load(), kThreads * kPerThread);
  QCOMPARE(offLoop.load(), 0);
  QVERIFY(!loop.inLoopThread());  // this test thread is not the loop thread
  lt.stopAndJoin();
}

void TestEventLoop::postKeepsOrderPerThread() {
  LoopThread lt;
  lt.start();
  std::vector<int> seen;
  std::promise<void> done;
  auto fut = done.get_future();
  std::thread poster([&] {
    for (int i = 0; i < 1000; ++i)
      lt.loop().post([&, i] {
        seen.push_back(i);
        if (i == 999) done.set_value();
      });
  });
  poster.join();
  QVERIFY(fut.wait_for(5s) == std::future_status::ready);
  lt.stopAndJoin();
  QCOMPARE(seen.size(), size_t(1000));
  for (int i = 0; i < 1000; ++i) QCOMPARE(seen[size_t(i)], i);
}

void TestEventLoop::timersFireInOrderAndNotEarly() {
  LoopThread lt;
  lt.start();
  EventLoop& loop = lt.loop();
  struct Fired {
    int delayMs;
    std::chrono::nanoseconds after;
  };
  std::mutex m;
  std::vector<Fired> fired;
  std::promise<void> done;
  auto fut = done.get_future();
  Clock::time_point start;
  const std::vector<int> delays{60, 10, 40, 0, 25, 5};
  QVERIFY(runOnLoop(loop, [&] {
    start = Clock::now();
    for (int d : delays)
      loop.runAfter(std::chrono::milliseconds(d), [&, d] {
        std::lock_guard lock(m);
        fired.push_back({d, Clock::now() - start});
        if (fired.size() == delays.size()) done.set_value();
      });
  }));
  QVERIFY(fut.wait_for(3s) == std::future_status::ready);
  lt.stopAndJoin();
  QCOMPARE(fired.size(), delays.size());
  const std::vector<int> order{0, 5, 10, 25, 40, 60};
  for (size_t i = 0; i < order.size(); ++i) {
    QCOMPARE(fired[i].delayMs, order[i]);
    // Never early: the timer fires at or after its deadline.
    QVERIFY2(fired[i].after >= std::chrono::milliseconds(fired[i].delayMs),
             qPrintable(QString("timer of %1 ms fired after %2 us").arg(fired[i].delayMs)
                            .arg(std::chrono::duration_cast<std::chrono::microseconds>(fired[i].after).count())));
  }
  // And not absurdly late (a loaded CI machine gets a generous bound).
  QVERIFY(fired.back().after < 1s);
}

void TestEventLoop::timersWithTheSameDeadlineKeepTheirOrder() {
  LoopThread lt;
  lt.start();
  std::vector<int> order;
  std::promise<void> done;
  auto fut = done.get_future();
  QVERIFY(runOnLoop(lt.loop(), [&] {
    auto when = Clock::now() + 20ms;
    for (int i = 0; i < 5; ++i)
      lt.loop().runAt(when, [&, i] {
        order.push_back(i);
        if (i == 4) done.set_value();
      });
  }));
  QVERIFY(fut.wait_for(2s) == std::future_status::ready);
  lt.stopAndJoin();
  QCOMPARE(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

void TestEventLoop::cancelStopsATimer() {
  auto clock = std::make_shared<ManualClock>();
  LoopThread lt("sluice-test", clock);
  lt.start();
  EventLoop& loop = lt.loop();
  std::atomic<int> cancelledRan{0}, keptRan{0}, selfCancelRan{0};
  EventLoop::TimerId selfId = 0;
  QVERIFY(runOnLoop(loop, [&] {
    auto id = loop.runAfter(20ms, [&] { ++cancelledRan; });
    loop.runAfter(40ms, [&] { ++keptRan; });
    loop.cancel(id);
    loop.cancel(id);           // twice: nothing happens
    loop.cancel(987654321);    // unknown: nothing happens
    // A timer cancelled from another timer's callback before it is due.
    selfId = loop.runAfter(30ms, [&] { ++selfCancelRan; });
    loop.runAfter(10ms, [&] { loop.cancel(selfId); });
  }));
  // Step through every deadline: advance() returns once the loop ran all that was due.
  for (int step = 0; step < 5; ++step) QVERIFY(clock->advance(10ms));
  QCOMPARE(keptRan.load(), 1);
  QVERIFY(runOnLoop(loop, [&] { loop.cancel(selfId); }));  // cancelling a dead timer is fine too
  lt.stopAndJoin();
  QCOMPARE(cancelledRan.load(), 0);
  QCOMPARE(selfCancelRan.load(), 0);
  QCOMPARE(keptRan.load(), 1);
}

void TestEventLoop::manualClockFiresTimersOnlyWhenAdvanced() {
  auto clock = std::make_shared<ManualClock>();
  LoopThread lt("sluice-test", clock);
  lt.start();
  std::atomic<int> ran{0};
  QVERIFY(runOnLoop(lt.loop(), [&] { lt.loop().runAfter(1h, [&] { ++ran; }); }));
  QVERIFY(clock->advance(59min));
  QCOMPARE(ran.load(), 0);
  QVERIFY(clock->advance(1min));
  QCOMPARE(ran.load(), 1);
  lt.stopAndJoin();
}

void TestEventLoop::stopFromAnotherThread() {
  EventLoop loop;
  QVERIFY(loop.valid());
  std::promise<void> started;
  auto startedFut = started.get_future();
  auto runner = std::async(std::launch::async, [&] {
    loop.post([&] { started.set_value(); });
    loop.run();
  });
  QVERIFY(startedFut.wait_for(2s) == std::future_status::ready);
  // A timer far in the future does not keep the loop alive after stop().
  QVERIFY(runOnLoop(loop, [&] { loop.runAfter(1h, [] {}); }));
  auto t0 = Clock::now();
  std::thread stopper([&] { loop.stop(); });
  stopper.join();
  QVERIFY2(runner.wait_for(2s) == std::future_status::ready, "run() must return soon after stop() from another thread");
  QVERIFY(Clock::now() - t0 < 2s);
  // The loop can run again after a stop.
  auto again = std::async(std::launch::async, [&] { loop.run(); });
  QVERIFY(runOnLoop(loop, [] {}));
  loop.stop();
  QVERIFY(again.wait_for(2s) == std::future_status::ready);
}

void TestEventLoop::tasksPostedBeforeStopStillRun() {
  EventLoop loop;
  std::atomic<int> ran{0};
  auto runner = std::async(std::launch::async, [&] { loop.run(); });
  QVERIFY(runOnLoop(loop, [] {}));
  // Post and stop back to back: shutdown commands still complete.
  for (int i = 0; i < 100; ++i) loop.post([&] { ++ran; });
  loop.stop();
  QVERIFY(runner.wait_for(2s) == std::future_status::ready);
  QCOMPARE(ran.load(), 100);
}

void TestEventLoop::deferRunsAfterTheCurrentTask() {
  LoopThread lt;
  lt.start();
  EventLoop& loop = lt.loop();
  std::vector<std::string> log;
  std::promise<void> done;
  auto fut = done.get_future();
  // Hold the loop in a task so that the next two posts arrive as one batch.
  std::promise<void> gate;
  auto gateFut = gate.get_future().share();
  loop.post([gateFut] { gateFut.wait_for(2s); });
  loop.post([&] {
    loop.defer([&] {
      log.push_back("deferred 1");
      // A defer from a deferred task also runs, in the same turn.
      loop.defer([&] {
        log.push_back("deferred 2");
        done.set_value();
      });
    });
    log.push_back("task end");
  });
  loop.post([&] { log.push_back("second task"); });
  gate.set_value();
  QVERIFY(fut.wait_for(2s) == std::future_status::ready);
  lt.stopAndJoin();
  // Deferred work runs after the whole batch of posted tasks, before the loop sleeps again.
  QCOMPARE(log, (std::vector<std::string>{"task end", "second task", "deferred 1", "deferred 2"}));
}

void TestEventLoop::readinessReachesTheHandler() {
  int fds[2];
  QCOMPARE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  LoopThread lt;
  lt.start();
  PipeHandler h;
  h.fd = fds[0];
  h.loop = &lt.loop();
  auto fut = h.done.get_future();
  bool added = false;
  QVERIFY(runOnLoop(lt.loop(), [&] { added = lt.loop().add(fds[0], EPOLLIN, &h).has_value(); }));
  QVERIFY(added);
  QCOMPARE(::write(fds[1], "abc", 3), ssize_t(3));
  QVERIFY(fut.wait_for(2s) == std::future_status::ready);
  QVERIFY(h.onLoopThread);
  QVERIFY(h.lastEvents & EPOLLIN);
  // After remove(), readiness no longer reaches the handler.
  QVERIFY(runOnLoop(lt.loop(), [&] { lt.loop().remove(fds[0]); }));
  QCOMPARE(::write(fds[1], "d", 1), ssize_t(1));
  // Two round trips: at least one whole epoll_wait ran after the write.
  QVERIFY(runOnLoop(lt.loop(), [] {}));
  QVERIFY(runOnLoop(lt.loop(), [] {}));
  QCOMPARE(h.bytes.load(), 3);
  lt.stopAndJoin();
  ::close(fds[0]);
  ::close(fds[1]);
}

QTEST_APPLESS_MAIN(TestEventLoop)
#include "test_event_loop.moc"
