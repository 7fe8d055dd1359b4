// The io_uring backend of EventLoop as its users see it: epoll's level-triggered
// readiness for any descriptor, ring sockets that read and write through the ring,
// closing with bytes still staged, running out of ring buffers, and the fallback.
#include <QtTest/QtTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/net/event_loop.h"
#include "support/loop_run.h"
#include "engine/net/uring_poller.h"

using namespace std::chrono_literals;
using sluice::net::EventLoop;
using sluice::net::IoBackend;
using sluice::net::LoopThread;
using sluice::net::RingSocket;
using sluice::net::UringPoller;

namespace {

using test::runOnLoop;

/** Waits (bounded) until pred holds, checking every millisecond. */
template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/** A connected loopback TCP pair: [0] the accepted (server) end, non-blocking; [1] the client end, blocking. */
std::pair<int, int> tcpPair() {
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l, 4) != 0 ||
      ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return {-1, -1};
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return {-1, -1};
  int s = ::accept4(l, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  ::close(l);
  return {s, c};
}

/** read(2), again after a signal. */
ssize_t readOnce(int fd, char* buf, size_t n) {
  ssize_t r;
  do {
    r = ::read(fd, buf, n);
  } while (r < 0 && errno == EINTR);
  return r;
}

std::string readAll(int fd, size_t want) {
  std::string out;
  char buf[65536];
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (out.size() < want) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;  // a signal (the test harness's) is not the end of the stream
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

/** Reads one byte per report: level-triggered readiness reports until the pipe is empty. */
class OneByteReader final : public sluice::net::IoHandler {
 public:
  void onIo(uint32_t events) override {
    char c;
    if ((events & EPOLLIN) && ::read(fd, &c, 1) == 1) ++reads;
  }
  int fd = -1;
  std::atomic<int> reads{0};
};

/** Echoes what a ring socket receives, through the ring, and records it. */
class RingEcho final : public sluice::net::IoHandler {
 public:
  void onIo(uint32_t events) override {
    if (!(events & EPOLLIN) || !socket) return;
    char buf[256 * 1024];
    for (;;) {
      long n = socket->read(buf, sizeof buf);
      if (n <= 0) {
        if (n == 0) eof = true;
        return;
      }
      received.append(buf, static_cast<size_t>(n));
      receivedBytes = received.size();
      if (echo) {
        iovec iov{buf, static_cast<size_t>(n)};
        // Small echoes fit the staging block; a refusal would be a test failure below.
        if (socket->writev(&iov, 1) != n) ++shortWrites;
      }
    }
  }
  RingSocket* socket = nullptr;
  bool echo = true;
  std::string received;  ///< read on the loop thread, or after it stopped
  std::atomic<size_t> receivedBytes{0};
  std::atomic<bool> eof{false};
  std::atomic<int> shortWrites{0};
};

/** A ring socket handler that never reads: it drops EPOLLIN after the first report. */
class Hoarder final : public sluice::net::IoHandler {
 public:
  void onIo(uint32_t) override {
    ++reports;
    (void)loop->modify(fd, 0, this);
  }
  EventLoop* loop = nullptr;
  int fd = -1;
  std::atomic<int> reports{0};
};

}  // namespace

class TestUringLoop : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void backendNamesParseAndResolve();
  void fallsBackToEpollWhenTheKernelRefuses();
  void timersAndPostsRunAsUnderEpoll();
  void pollWatchesAreLevelTriggered();
  void modifyChangesWhatIsReported();
  void ringSocketRoundTripsSmallAndLargeWrites();
  void closeSendsWhatWasStagedThenFin();
  void resetCloseSendsRst();
  void exhaustedRingBuffersFallBackToDirectReads();
};

void TestUringLoop::init() {
  if (auto why = sluice::net::uringDisabledReason()) QSKIP(why->c_str());
  auto probe = UringPoller::create();
  if (!probe) QSKIP(("io_uring unavailable: " + probe.error().message).c_str());
}

void TestUringLoop::backendNamesParseAndResolve() {
  QCOMPARE(sluice::net::parseIoBackend("epoll"), std::optional(IoBackend::kEpoll));
  QCOMPARE(sluice::net::parseIoBackend("uring"), std::optional(IoBackend::kUring));
  QCOMPARE(sluice::net::parseIoBackend("auto"), std::optional(IoBackend::kAuto));
  QVERIFY(!sluice::net::parseIoBackend("kqueue").has_value());
  QCOMPARE(sluice::net::ioBackendName(IoBackend::kUring), std::string_view("uring"));
  ::setenv("SLUICE_IO", "epoll", 1);
  QCOMPARE(sluice::net::resolveIoBackend(IoBackend::kAuto), IoBackend::kEpoll);
  ::setenv("SLUICE_IO", "uring", 1);
  QCOMPARE(sluice::net::resolveIoBackend(IoBackend::kAuto), IoBackend::kUring);
  QCOMPARE(sluice::net::resolveIoBackend(IoBackend::kEpoll), IoBackend::kEpoll);  // an explicit choice wins
  ::unsetenv("SLUICE_IO");
}

void TestUringLoop::fallsBackToEpollWhenTheKernelRefuses() {
  EventLoop::failNextUringSetups(1);
  EventLoop refused(nullptr, IoBackend::kUring);
  QVERIFY(refused.valid());
  QCOMPARE(refused.backend(), IoBackend::kEpoll);
  QVERIFY2(refused.backendNote().find("io_uring unavailable, using epoll") != std::string::npos,
           refused.backendNote().c_str());
  EventLoop granted(nullptr, IoBackend::kUring);
  QCOMPARE(granted.backend(), IoBackend::kUring);
  QVERIFY(granted.backendNote().empty());
  QVERIFY(granted.uring() != nullptr);
}

void TestUringLoop::timersAndPostsRunAsUnderEpoll() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  QCOMPARE(lt.loop().backend(), IoBackend::kUring);
  lt.start();
  std::vector<int> order;
  std::promise<void> done;
  auto fut = done.get_future();
  QVERIFY(runOnLoop(lt.loop(), [&] {
    lt.loop().runAfter(30ms, [&] {
      order.push_back(2);
      done.set_value();
    });
    lt.loop().runAfter(10ms, [&] { order.push_back(1); });
    lt.loop().defer([&] { order.push_back(0); });
  }));
  QVERIFY(fut.wait_for(3s) == std::future_status::ready);
  lt.stopAndJoin();
  QCOMPARE(order, (std::vector<int>{0, 1, 2}));
}

void TestUringLoop::pollWatchesAreLevelTriggered() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  int p[2];
  QVERIFY(::pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  OneByteReader reader;
  reader.fd = p[0];
  QVERIFY(lt.loop().add(p[0], EPOLLIN, &reader).has_value());
  lt.start();
  QCOMPARE(::write(p[1], "0123456789", 10), 10);
  // One byte per report: only level-triggered readiness reports ten times for one write.
  QVERIFY(waitFor([&] { return reader.reads.load() == 10; }));
  QVERIFY(runOnLoop(lt.loop(), [&] { QVERIFY(lt.loop().remove(p[0]).has_value()); }));
  QCOMPARE(::write(p[1], "x", 1), 1);
  std::this_thread::sleep_for(50ms);  // nothing may arrive after remove(): give it the chance
  QCOMPARE(reader.reads.load(), 10);
  lt.stopAndJoin();
  ::close(p[0]);
  ::close(p[1]);
}

void TestUringLoop::modifyChangesWhatIsReported() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  auto [s, c] = tcpPair();
  QVERIFY(s >= 0 && c >= 0);
  struct Recorder final : sluice::net::IoHandler {
    void onIo(uint32_t ev) override {
      if (ev & EPOLLOUT) ++outs;
      if (ev & EPOLLIN) ++ins;
      if (ev & EPOLLOUT) (void)loop->modify(fd, 0, this);  // one report, then quiet
    }
    EventLoop* loop = nullptr;
    int fd = -1;
    std::atomic<int> outs{0}, ins{0};
  } rec;
  rec.loop = &lt.loop();
  rec.fd = s;
  QVERIFY(lt.loop().add(s, 0, &rec).has_value());
  lt.start();
  QCOMPARE(::write(c, "data", 4), 4);  // readable, but nobody asked for EPOLLIN
  std::this_thread::sleep_for(50ms);
  QCOMPARE(rec.ins.load(), 0);
  QVERIFY(runOnLoop(lt.loop(), [&] { QVERIFY(lt.loop().modify(s, EPOLLOUT, &rec).has_value()); }));
  QVERIFY(waitFor([&] { return rec.outs.load() == 1; }));
  std::this_thread::sleep_for(30ms);
  QCOMPARE(rec.outs.load(), 1);  // dropped from the interest after the first report
  QVERIFY(runOnLoop(lt.loop(), [&] { QVERIFY(lt.loop().remove(s).has_value()); }));
  lt.stopAndJoin();
  ::close(s);
  ::close(c);
}

void TestUringLoop::ringSocketRoundTripsSmallAndLargeWrites() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  auto [s, c] = tcpPair();
  QVERIFY(s >= 0 && c >= 0);
  RingEcho echo;
  echo.socket = lt.loop().uring()->openSocket(s);
  QVERIFY(lt.loop().add(s, EPOLLIN, &echo).has_value());
  lt.start();
  // Small writes go through the ring both ways: 200 of them, echoed in order.
  std::string sent;
  for (int i = 0; i < 200; ++i) {
    std::string msg = "message " + std::to_string(i) + ";";
    QCOMPARE(::write(c, msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
    sent += msg;
    const std::string back = readAll(c, msg.size());
    QVERIFY2(back == msg, ("sent '" + msg + "', echoed '" + back + "'").c_str());
  }
  QVERIFY(waitFor([&] { return echo.receivedBytes.load() == sent.size(); }));
  QCOMPARE(echo.shortWrites.load(), 0);
  sluice::net::UringCounters counters;
  QVERIFY(runOnLoop(lt.loop(), [&] { counters = lt.loop().uring()->counters(); }));
  QVERIFY2(counters.recvs >= 200 && counters.sends >= 200, "the ring carried the reads and the writes");
  // A large write bypasses the staging block and goes out whole (or as far as the socket takes it).
  std::string big(1 << 20, 'b');
  std::atomic<long> wrote{0};
  QVERIFY(runOnLoop(lt.loop(), [&] {
    echo.echo = false;
    iovec iov{big.data(), big.size()};
    wrote = echo.socket->writev(&iov, 1);
  }));
  QVERIFY2(wrote.load() > static_cast<long>(UringPoller::kStageBytes), "written directly, not staged");
  QCOMPARE(readAll(c, static_cast<size_t>(wrote.load())), big.substr(0, static_cast<size_t>(wrote.load())));
  QVERIFY(runOnLoop(lt.loop(), [&] { counters = lt.loop().uring()->counters(); }));
  QVERIFY(counters.directWrites >= 1);
  ::shutdown(c, SHUT_WR);
  QVERIFY(waitFor([&] { return echo.eof.load(); }));
  QVERIFY(runOnLoop(lt.loop(), [&] {
    (void)lt.loop().remove(s);
    echo.socket->close(false);
  }));
  lt.stopAndJoin();
  QCOMPARE(echo.received, sent);
  ::close(c);
}

void TestUringLoop::closeSendsWhatWasStagedThenFin() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  lt.start();
  auto [s, c] = tcpPair();
  QVERIFY(s >= 0 && c >= 0);
  const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
  QVERIFY(runOnLoop(lt.loop(), [&] {
    RingSocket* sock = lt.loop().uring()->openSocket(s);
    iovec iov{const_cast<char*>(reply.data()), reply.size()};
    QCOMPARE(sock->writev(&iov, 1), static_cast<long>(reply.size()));  // staged, not yet sent
    sock->shutdownWrite();                                               // after the staged bytes
    sock->close(false);                                                  // and the descriptor after them
  }));
  // Everything staged arrives, then end of stream.
  QCOMPARE(readAll(c, reply.size() + 1), reply);
  char extra;
  QCOMPARE(readOnce(c, &extra, 1), ssize_t{0});
  lt.stopAndJoin();
  ::close(c);
}

void TestUringLoop::resetCloseSendsRst() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  lt.start();
  auto [s, c] = tcpPair();
  QVERIFY(s >= 0 && c >= 0);
  QVERIFY(runOnLoop(lt.loop(), [&] { lt.loop().uring()->openSocket(s)->close(true); }));
  char buf[8];
  timeval tv{5, 0};
  ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  errno = 0;
  const ssize_t n = readOnce(c, buf, sizeof buf);
  QCOMPARE(n, ssize_t{-1});
  QCOMPARE(errno, ECONNRESET);
  lt.stopAndJoin();
  ::close(c);
}

void TestUringLoop::exhaustedRingBuffersFallBackToDirectReads() {
  LoopThread lt("uring-test", nullptr, IoBackend::kUring);
  lt.start();
  // Every ring buffer ends up held by a socket whose handler never reads it.
  std::vector<std::pair<int, int>> pairs;
  std::vector<std::unique_ptr<Hoarder>> hoarders;
  for (uint32_t i = 0; i < UringPoller::kRecvBuffers; ++i) {
    auto pr = tcpPair();
    QVERIFY(pr.first >= 0);
    pairs.push_back(pr);
    auto h = std::make_unique<Hoarder>();
    h->loop = &lt.loop();
    h->fd = pr.first;
    QVERIFY(runOnLoop(lt.loop(), [&] {
      lt.loop().uring()->openSocket(pr.first);
      QVERIFY(lt.loop().add(pr.first, EPOLLIN, h.get()).has_value());
    }));
    QCOMPARE(::write(pr.second, "held", 4), 4);
    hoarders.push_back(std::move(h));
  }
  QVERIFY(waitFor([&] {
    for (auto& h : hoarders)
      if (h->reports.load() == 0) return false;
    return true;
  }));
  // One more socket: its receive finds no buffer, and the loop reads it with read(2).
  auto [s, c] = tcpPair();
  QVERIFY(s >= 0);
  RingEcho reader;
  reader.echo = false;
  QVERIFY(runOnLoop(lt.loop(), [&] {
    reader.socket = lt.loop().uring()->openSocket(s);
    QVERIFY(lt.loop().add(s, EPOLLIN, &reader).has_value());
  }));
  QCOMPARE(::write(c, "still read", 10), 10);
  QVERIFY(waitFor([&] { return reader.receivedBytes.load() == 10; }));
  sluice::net::UringCounters counters;
  QVERIFY(runOnLoop(lt.loop(), [&] { counters = lt.loop().uring()->counters(); }));
  QVERIFY(counters.noBuffer >= 1);
  QVERIFY(counters.directReads >= 1);
  lt.stopAndJoin();
  QCOMPARE(reader.received, std::string("still read"));
  for (auto& [a, b] : pairs) ::close(b);
  ::close(c);
}

QTEST_APPLESS_MAIN(TestUringLoop)
#include "test_uring_loop.moc"
