// Fairness under slow readers (issue 14 #6), in process so the server's counters can be read:
// 200 clients with a 1 KiB receive buffer ask for 1 GiB each and never read. What does not
// depend on the machine's load is asserted: no connection ever holds more response bytes in
// user space than ServerConfig::outputBufferBytes, the turn's write budget was applied, RSS
// grows by a bounded amount, a normal request is answered (a generous bound: timing in a
// test is not a benchmark), and memory is trimmed after the attackers leave.
#include <QtTest/QtTest>

#include <unistd.h>

#include <thread>

#include "support/hostile_peers.h"
#include "support/process.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::test::InProcessServer;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kReaders = 200;
const std::string kNormal = "GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

/** Polls cond (a counter the server keeps) every 10 ms until it holds or timeout passes. */
template <typename Cond>
bool waitFor(Cond cond, std::chrono::milliseconds timeout) {
  for (auto until = Clock::now() + timeout; Clock::now() < until; std::this_thread::sleep_for(10ms))
    if (cond()) return true;
  return cond();
}

}  // namespace

class TestSlowReaders : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { sluice::test::raiseOpenFileLimit(); }
  void boundedOutputAndFairTurns();
};

void TestSlowReaders::boundedOutputAndFairTurns() {
  sluice::server::ServerConfig config;
  config.turnWriteBudgetBytes = 1024 * 1024;  // binds with 200 writers, whatever the socket buffers
  config.memoryTrimDelay = 100ms;
  config.trimBurstConnections = kReaders / 2;
  config.writeTimeout = 60s;
  InProcessServer s;
  QVERIFY2(s.start(config), s.error().c_str());
  auto& stats = s.server().stats();
  const size_t cap = s.server().config().outputBufferBytes;
  const auto rss0 = sluice::test::procStatusBytes(::getpid(), "VmRSS");

  sluice::test::Crowd attack;
  QCOMPARE(attack.open(s.port(), kReaders, 1024), kReaders);
  attack.sendAll("GET /bytes/1073741824 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  // Every download has begun once the server counted all the requests.
  QVERIFY(waitFor([&] { return stats.requests.load() >= kReaders; }, 10s));
  auto p = sluice::test::probe(s.port(), kNormal, 2s);
  qInfo("a normal request during the attack: status %d in %.1f ms", p.status, p.ms);
  QCOMPARE(p.status, 200);

  const auto rss1 = sluice::test::procStatusBytes(::getpid(), "VmRSS");
  const auto snap = stats.snapshot();
  qInfo("output held by one connection at most: %llu bytes (cap %zu); writes put off to the next turn: %llu; RSS %.1f -> %.1f MiB",
        static_cast<unsigned long long>(snap.outputBufferPeak), cap, static_cast<unsigned long long>(snap.turnBudgetStops),
        rss0 ? *rss0 / 1048576.0 : -1.0, rss1 ? *rss1 / 1048576.0 : -1.0);
  QVERIFY(snap.outputBufferPeak > 0);
  QVERIFY2(snap.outputBufferPeak <= cap, "a connection held more response bytes than outputBufferBytes");
  QVERIFY2(snap.turnBudgetStops > 0, "the turn's write budget never bound with 200 writers");
  QVERIFY(rss0 && rss1);
  // Each stalled download may hold one output buffer; 16 MiB for everything else.
  QVERIFY2(*rss1 < *rss0 + kReaders * cap + 16ull * 1024 * 1024, "stalled readers cost more memory than their output bound");

  attack.closeAll();
  QVERIFY(waitFor([&] { return stats.connectionsOpen.load() == 0; }, 10s));
  QVERIFY2(waitFor([&] { return stats.memoryTrims.load() >= 1; }, 5s), "memory was not trimmed after the burst");
}

QTEST_APPLESS_MAIN(TestSlowReaders)
#include "test_slow_readers.moc"
