// The server's timeouts through a real socket, on a manual clock: the test moves time
// instead of sleeping. Just before a deadline nothing happens (checked after the loop
// has run every timer due, not after a sleep); just after it the peer sees the outcome.
#include <QtTest/QtTest>

#include <chrono>
#include <memory>
#include <string>

#include "engine/net/loop_clock.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::net::ManualClock;
using sluice::server::ServerConfig;
using std::chrono::milliseconds;
using sluice::test::InProcessServer;
using sluice::test::RawClient;
using sluice::test::makeRequest;

namespace {

const std::string kPartialHead = "GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n";

/** An in-process server on its own manual clock (or a shared one), with one limit changed. */
struct ClockedServer {
  explicit ClockedServer(std::shared_ptr<ManualClock> shared = nullptr)
      : clock(shared ? std::move(shared) : std::make_shared<ManualClock>()) {}
  bool start(milliseconds ServerConfig::*timeout, milliseconds value) {
    ServerConfig c;
    c.lingerTime = 500ms;
    c.clock = clock;
    c.*timeout = value;
    return srv.start(c);
  }
  std::shared_ptr<ManualClock> clock;
  InProcessServer srv;
};

/** Nothing arrived and the connection is still open (the loop already ran what was due). */
bool quiet(RawClient& c) { return !c.waitReadable(0ms); }

}  // namespace

class TestServerTimeouts : public QObject {
  Q_OBJECT

 private slots:
  void deadline_data();
  void deadline();
  void trickleDoesNotExtendTheHeaderTimeout();
  void headerTimeoutIsConfigurable();
  void bodyIdleTimeoutIsConfigurable();
  void keepAliveTimeoutIsConfigurable();
};

// Each timeout at 300 ms: quiet at 299 ms, its outcome at 301 ms.
void TestServerTimeouts::deadline_data() {
  QTest::addColumn<int>("which");  // 0 header, 1 body idle, 2 keep-alive
  QTest::addColumn<QByteArray>("sent");
  QTest::addColumn<bool>("answered");  // a first response is read before the wait
  QTest::addColumn<int>("status");     // 0: a close without a byte
  const QByteArray partial = QByteArray::fromStdString(kPartialHead);
  QTest::newRow("head not complete: 408") << 0 << partial + "X-Slow: " << false << 408;
  QTest::newRow("silent connection: closed") << 0 << QByteArray() << false << 0;
  QTest::newRow("body stalls: 408")
      << 1 << QByteArray::fromStdString(makeRequest("PUT", "/sink", "Content-Length: 1000\r\n", std::string(100, 'p')))
      << false << 408;
  QTest::newRow("idle keep-alive: closed quietly")
      << 2 << QByteArray::fromStdString(makeRequest("GET", "/status/200")) << true << 0;
}

void TestServerTimeouts::deadline() {
  QFETCH(int, which);
  QFETCH(QByteArray, sent);
  QFETCH(bool, answered);
  QFETCH(int, status);
  static constexpr milliseconds ServerConfig::*kTimeouts[] = {&ServerConfig::headerTimeout, &ServerConfig::bodyIdleTimeout,
                                                              &ServerConfig::keepAliveTimeout};
  ClockedServer s;
  QVERIFY(s.start(kTimeouts[which], 300ms));
  RawClient c(s.srv.port());
  QVERIFY(s.srv.waitAccepted(1));
  if (!sent.isEmpty()) QVERIFY(c.send(sent.toStdString()));
  QVERIFY(s.srv.waitBytesIn(uint64_t(sent.size())));
  if (answered) QVERIFY2(c.readFinalResponse(2s), c.error().c_str());
  const size_t before = c.received().size();
  QVERIFY(s.clock->advance(299ms));
  QVERIFY2(quiet(c), c.received().c_str());
  QVERIFY(s.clock->advance(2ms));
  if (status != 0) {
    auto r = c.readFinalResponse(3s);
    QVERIFY2(r, c.error().c_str());
    QCOMPARE(r->status, status);
    QVERIFY(s.srv.server().stats().snapshot().timeouts >= 1);
  }
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  if (status != 0) return;  // after a 408 the server lingers until the peer closes
  QVERIFY2(c.received().size() == before, "a quiet close sends no bytes (no 408)");
  QTRY_COMPARE_WITH_TIMEOUT(s.srv.server().stats().snapshot().connectionsOpen, uint64_t{0}, 2000);
}

void TestServerTimeouts::trickleDoesNotExtendTheHeaderTimeout() {
  ClockedServer s;
  QVERIFY(s.start(&ServerConfig::headerTimeout, 300ms));
  RawClient c(s.srv.port());
  QVERIFY(c.send(kPartialHead));
  uint64_t sent = kPartialHead.size();
  // Slowloris: one header byte every 50 ms, never finishing the head.
  for (int step = 1; step < 6; ++step) {
    QVERIFY(c.send("X"));
    QVERIFY(s.srv.waitBytesIn(++sent));
    QVERIFY(s.clock->advance(50ms));
    QVERIFY2(quiet(c), qPrintable(QString("answered after %1 ms of trickling").arg(step * 50)));
  }
  QVERIFY(s.clock->advance(51ms));  // 301 ms since the head began, however many bytes came
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 408);
  QVERIFY(c.readUntilClose(3s) != RawClient::PeerState::kOpen);
}

void TestServerTimeouts::headerTimeoutIsConfigurable() {
  ClockedServer fast;
  ClockedServer slow(fast.clock);  // one clock for both servers
  QVERIFY(fast.start(&ServerConfig::headerTimeout, 300ms));
  QVERIFY(slow.start(&ServerConfig::headerTimeout, 1500ms));
  RawClient a(fast.srv.port()), b(slow.srv.port());
  QVERIFY(a.send(kPartialHead));
  QVERIFY(b.send(kPartialHead));
  QVERIFY(fast.srv.waitBytesIn(kPartialHead.size()) && slow.srv.waitBytesIn(kPartialHead.size()));
  QVERIFY(fast.clock->advance(301ms));
  auto ra = a.readFinalResponse(2s);
  QVERIFY2(ra, a.error().c_str());
  QCOMPARE(ra->status, 408);
  // The slow server is still waiting for the head: finishing it now gets a normal answer.
  QVERIFY(fast.clock->advance(1000ms));
  QVERIFY2(quiet(b), b.received().c_str());
  QVERIFY(b.send("\r\n"));
  auto rb = b.readFinalResponse(2s);
  QVERIFY2(rb, b.error().c_str());
  QCOMPARE(rb->status, 200);
}

void TestServerTimeouts::bodyIdleTimeoutIsConfigurable() {
  ClockedServer s;
  QVERIFY(s.start(&ServerConfig::bodyIdleTimeout, 1500ms));
  RawClient c(s.srv.port());
  std::string req = makeRequest("PUT", "/sink", "Content-Length: 200\r\n", std::string(100, 'p'));
  QVERIFY(c.send(req));
  uint64_t total = req.size();
  // Pauses shorter than the timeout, each followed by more bytes: the body completes.
  for (char fill : {'q', 'r'}) {
    QVERIFY(s.srv.waitBytesIn(total));
    QVERIFY(s.clock->advance(1400ms));
    QVERIFY(quiet(c));
    QVERIFY(c.send(std::string(50, fill)));
    total += 50;
  }
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QVERIFY2(r->body.find("\"bytes\":200") != std::string::npos, r->body.c_str());
}

void TestServerTimeouts::keepAliveTimeoutIsConfigurable() {
  ClockedServer s;
  QVERIFY(s.start(&ServerConfig::keepAliveTimeout, 2000ms));
  RawClient c(s.srv.port());
  QVERIFY(c.send(makeRequest("GET", "/status/200")));
  QVERIFY(c.readFinalResponse(2s));
  QVERIFY(s.clock->advance(1999ms));
  QVERIFY(quiet(c));
  QVERIFY(c.send(makeRequest("GET", "/status/201")));
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 201);
}

QTEST_APPLESS_MAIN(TestServerTimeouts)
#include "test_server_timeouts.moc"
