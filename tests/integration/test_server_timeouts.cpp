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
using sluice::test::InProcessServer;
using sluice::test::RawClient;
using sluice::test::makeRequest;

namespace {

const std::string kPartialHead = "GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n";

ServerConfig clocked(const std::shared_ptr<ManualClock>& clock) {
  ServerConfig c;
  c.lingerTime = 500ms;
  c.clock = clock;
  return c;
}

/** Nothing arrived and the connection is still open (the loop already ran what was due). */
bool quiet(RawClient& c) { return !c.waitReadable(0ms); }

}  // namespace

class TestServerTimeouts : public QObject {
  Q_OBJECT

 private slots:
  void slowHeadGets408AndClose();
  void trickleDoesNotExtendTheHeaderTimeout();
  void silentConnectionIsClosedAtTheHeaderTimeout();
  void headerTimeoutIsConfigurable();
  void stalledBodyGets408();
  void bodyIdleTimeoutIsConfigurable();
  void idleKeepAliveIsClosedQuietly();
  void keepAliveTimeoutIsConfigurable();
};

void TestServerTimeouts::slowHeadGets408AndClose() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.headerTimeout = 300ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  QVERIFY(c.send(kPartialHead + "X-Slow: "));
  QVERIFY(srv.waitBytesIn(kPartialHead.size() + 8));
  QVERIFY(clock->advance(299ms));
  QVERIFY2(quiet(c), c.received().c_str());
  QVERIFY(clock->advance(2ms));
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 408);
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  QVERIFY(srv.server().stats().snapshot().timeouts >= 1);
}

void TestServerTimeouts::trickleDoesNotExtendTheHeaderTimeout() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.headerTimeout = 300ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  QVERIFY(c.send(kPartialHead));
  uint64_t sent = kPartialHead.size();
  // Slowloris: one header byte every 50 ms, never finishing the head.
  for (int step = 1; step < 6; ++step) {
    QVERIFY(c.send("X"));
    QVERIFY(srv.waitBytesIn(++sent));
    QVERIFY(clock->advance(50ms));
    QVERIFY2(quiet(c), qPrintable(QString("answered after %1 ms of trickling").arg(step * 50)));
  }
  QVERIFY(clock->advance(51ms));  // 301 ms since the head began, however many bytes came
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 408);
  QVERIFY(c.readUntilClose(3s) != RawClient::PeerState::kOpen);
}

void TestServerTimeouts::silentConnectionIsClosedAtTheHeaderTimeout() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.headerTimeout = 300ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  // Connect and send nothing: the connection must not live (and count) forever.
  QVERIFY(srv.waitAccepted(1));
  QVERIFY(clock->advance(299ms));
  QVERIFY(quiet(c));
  QVERIFY(clock->advance(2ms));
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  QTRY_COMPARE_WITH_TIMEOUT(srv.server().stats().snapshot().connectionsOpen, uint64_t{0}, 2000);
}

void TestServerTimeouts::headerTimeoutIsConfigurable() {
  auto clock = std::make_shared<ManualClock>();  // one clock for both servers
  ServerConfig f = clocked(clock);
  f.headerTimeout = 300ms;
  ServerConfig s = clocked(clock);
  s.headerTimeout = 1500ms;
  InProcessServer fast, slow;
  QVERIFY(fast.start(f));
  QVERIFY(slow.start(s));
  RawClient a(fast.port()), b(slow.port());
  QVERIFY(a.send(kPartialHead));
  QVERIFY(b.send(kPartialHead));
  QVERIFY(fast.waitBytesIn(kPartialHead.size()) && slow.waitBytesIn(kPartialHead.size()));
  QVERIFY(clock->advance(301ms));
  auto ra = a.readFinalResponse(2s);
  QVERIFY2(ra, a.error().c_str());
  QCOMPARE(ra->status, 408);
  // The slow server is still waiting for the head: finishing it now gets a normal answer.
  QVERIFY2(quiet(b), b.received().c_str());
  QVERIFY(clock->advance(1000ms));
  QVERIFY2(quiet(b), b.received().c_str());
  QVERIFY(b.send("\r\n"));
  auto rb = b.readFinalResponse(2s);
  QVERIFY2(rb, b.error().c_str());
  QCOMPARE(rb->status, 200);
}

void TestServerTimeouts::stalledBodyGets408() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.bodyIdleTimeout = 300ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  const std::string req = makeRequest("PUT", "/sink", "Content-Length: 1000\r\n", std::string(100, 'p'));
  QVERIFY(c.send(req));
  QVERIFY(srv.waitBytesIn(req.size()));
  QVERIFY(clock->advance(299ms));
  QVERIFY(quiet(c));
  QVERIFY(clock->advance(2ms));
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 408);
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
}

void TestServerTimeouts::bodyIdleTimeoutIsConfigurable() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.bodyIdleTimeout = 1500ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  std::string req = makeRequest("PUT", "/sink", "Content-Length: 200\r\n", std::string(100, 'p'));
  QVERIFY(c.send(req));
  uint64_t total = req.size();
  // Pauses shorter than the timeout, each followed by more bytes: the body completes.
  for (char fill : {'q', 'r'}) {
    QVERIFY(srv.waitBytesIn(total));
    QVERIFY(clock->advance(1400ms));
    QVERIFY(quiet(c));
    QVERIFY(c.send(std::string(50, fill)));
    total += 50;
  }
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QVERIFY2(r->body.find("\"bytes\":200") != std::string::npos, r->body.c_str());
}

void TestServerTimeouts::idleKeepAliveIsClosedQuietly() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.keepAliveTimeout = 300ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  QVERIFY(c.send(makeRequest("GET", "/status/200")));
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  const size_t answered = c.received().size();
  QVERIFY(clock->advance(299ms));
  QVERIFY(quiet(c));
  QVERIFY(clock->advance(2ms));
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  QVERIFY2(c.received().size() == answered, "an idle close sends no bytes (no 408)");
}

void TestServerTimeouts::keepAliveTimeoutIsConfigurable() {
  auto clock = std::make_shared<ManualClock>();
  ServerConfig cfg = clocked(clock);
  cfg.keepAliveTimeout = 2000ms;
  InProcessServer srv;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  QVERIFY(c.send(makeRequest("GET", "/status/200")));
  QVERIFY(c.readFinalResponse(2s));
  QVERIFY(clock->advance(1999ms));
  QVERIFY(quiet(c));
  QVERIFY(c.send(makeRequest("GET", "/status/201")));
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 201);
}

QTEST_APPLESS_MAIN(TestServerTimeouts)
#include "test_server_timeouts.moc"
