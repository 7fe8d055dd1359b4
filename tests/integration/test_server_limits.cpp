// Each server limit through a real socket: the status a peer gets, that the connection
// closes where it should, and that changing the configured value changes the outcome.
// The timeouts are in test_server_timeouts.cpp, on a manual clock.
#include <QtTest/QtTest>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support/raw_client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::server::ServerConfig;
using sluice::test::InProcessServer;
using sluice::test::RawClient;
using sluice::test::makeRequest;
using Clock = std::chrono::steady_clock;

namespace {

long long msSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

/** Sends a request on a new connection; returns the final status (0 when none) and whether the server closed. */
struct Outcome {
  int status = 0;
  RawClient::PeerState after = RawClient::PeerState::kOpen;
  std::string error;
};

Outcome sendAndRead(uint16_t port, const std::string& req, bool expectClose) {
  Outcome o;
  RawClient c(port);
  if (!c.send(req)) {
    o.error = c.error();
    return o;
  }
  auto r = c.readFinalResponse(3s);
  if (!r) {
    o.error = c.error();
    return o;
  }
  o.status = r->status;
  if (expectClose) o.after = c.readUntilClose(3s);
  return o;
}

std::string headWithHeaderBytes(size_t n) {
  return makeRequest("GET", "/status/200", "X-Pad: " + std::string(n, 'h') + "\r\n");
}

std::string headWithHeaderCount(int n) {
  std::string h;
  for (int i = 0; i < n; ++i) h += "X-H" + std::to_string(i) + ": v\r\n";
  return makeRequest("GET", "/status/200", h);
}

ServerConfig config() {
  ServerConfig c;
  c.lingerTime = 500ms;
  return c;
}

}  // namespace

class TestServerLimits : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void headerBytesGet431();
  void headerBytesLimitIsConfigurable();
  void requestLineGets414();
  void requestLineLimitIsConfigurable();
  void headerCountGets431();
  void bodyOverLimitGets413BeforeReading();
  void bodyLimitIsConfigurable();
  void chunkedBodyOverLimitGets413MidStream();
  void chunkExtensionOverLimitGets413();
  void chunkExtensionsPerMessageGet413();
  void maxConnectionsHoldsTheNextOneBack();
  void maxConnectionsIsConfigurable();

 private:
  /** The default server answers req with 413 and closes; one with the limit raised answers 200. */
  void refusedThenAcceptedWhenRaised(const std::string& req, const std::function<void(ServerConfig&)>& raise);
  InProcessServer defaults_;
};

void TestServerLimits::initTestCase() { QVERIFY2(defaults_.start(config()), defaults_.error().c_str()); }

void TestServerLimits::headerBytesGet431() {
  auto big = sendAndRead(defaults_.port(), headWithHeaderBytes(17 * 1024), true);
  QCOMPARE(big.status, 431);
  QCOMPARE(big.after, RawClient::PeerState::kClosed);
  auto ok = sendAndRead(defaults_.port(), headWithHeaderBytes(15 * 1024), false);
  QCOMPARE(ok.status, 200);
}

void TestServerLimits::headerBytesLimitIsConfigurable() {
  InProcessServer small, large;
  ServerConfig s = config();
  s.parse.maxHeadBytes = 4096;
  ServerConfig l = config();
  l.parse.maxHeadBytes = 64 * 1024;
  QVERIFY(small.start(s));
  QVERIFY(large.start(l));
  QCOMPARE(sendAndRead(small.port(), headWithHeaderBytes(6 * 1024), false).status, 431);
  QCOMPARE(sendAndRead(defaults_.port(), headWithHeaderBytes(6 * 1024), false).status, 200);
  QCOMPARE(sendAndRead(large.port(), headWithHeaderBytes(40 * 1024), false).status, 200);
  QCOMPARE(sendAndRead(defaults_.port(), headWithHeaderBytes(40 * 1024), false).status, 431);
}

void TestServerLimits::requestLineGets414() {
  auto o = sendAndRead(defaults_.port(), makeRequest("GET", "/status/200?pad=" + std::string(9 * 1024, 'q')), true);
  QCOMPARE(o.status, 414);
  QCOMPARE(o.after, RawClient::PeerState::kClosed);
  QCOMPARE(sendAndRead(defaults_.port(), makeRequest("GET", "/status/200?pad=" + std::string(7 * 1024, 'q')), false).status, 200);
}

void TestServerLimits::requestLineLimitIsConfigurable() {
  InProcessServer small;
  ServerConfig s = config();
  s.parse.maxStartLine = 1024;
  QVERIFY(small.start(s));
  const std::string req = makeRequest("GET", "/status/200?pad=" + std::string(2048, 'q'));
  QCOMPARE(sendAndRead(small.port(), req, false).status, 414);
  QCOMPARE(sendAndRead(defaults_.port(), req, false).status, 200);
}

void TestServerLimits::headerCountGets431() {
  auto o = sendAndRead(defaults_.port(), headWithHeaderCount(120), true);
  QCOMPARE(o.status, 431);
  QCOMPARE(o.after, RawClient::PeerState::kClosed);
  QCOMPARE(sendAndRead(defaults_.port(), headWithHeaderCount(90), false).status, 200);
  InProcessServer small;
  ServerConfig s = config();
  s.parse.maxHeaderCount = 10;
  QVERIFY(small.start(s));
  QCOMPARE(sendAndRead(small.port(), headWithHeaderCount(20), false).status, 431);
}

void TestServerLimits::bodyOverLimitGets413BeforeReading() {
  InProcessServer srv;
  ServerConfig cfg = config();
  cfg.maxBodyBytes = 1000;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  // Only the head: the answer must come without the body being sent.
  QVERIFY(c.send(makeRequest("PUT", "/sink", "Content-Length: 5000\r\n")));
  auto t0 = Clock::now();
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 413);
  QVERIFY(msSince(t0) < 1500);
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  QVERIFY(srv.server().stats().snapshot().bytesIn < 1000);
}

void TestServerLimits::bodyLimitIsConfigurable() {
  const std::string req = makeRequest("PUT", "/sink", "Content-Length: 5000\r\n", std::string(5000, 'b'));
  InProcessServer small, large;
  ServerConfig s = config();
  s.maxBodyBytes = 1000;
  ServerConfig l = config();
  l.maxBodyBytes = 10000;
  QVERIFY(small.start(s));
  QVERIFY(large.start(l));
  QCOMPARE(sendAndRead(small.port(), req, false).status, 413);
  QCOMPARE(sendAndRead(large.port(), req, false).status, 200);
  QCOMPARE(sendAndRead(large.port(), makeRequest("PUT", "/sink", "Content-Length: 10001\r\n"), false).status, 413);
}

void TestServerLimits::chunkedBodyOverLimitGets413MidStream() {
  InProcessServer srv;
  ServerConfig cfg = config();
  cfg.maxBodyBytes = 1000;
  QVERIFY(srv.start(cfg));
  RawClient c(srv.port());
  const std::string chunk = "1f4\r\n" + std::string(500, 'c') + "\r\n";  // 500 bytes
  QVERIFY(c.send(makeRequest("PUT", "/sink", "Transfer-Encoding: chunked\r\n") + chunk + chunk));
  // 1000 bytes: at the limit, no answer yet.
  QVERIFY2(!c.waitReadable(300ms), c.received().c_str());
  // One byte more: 413 while the body is still streaming (no last chunk sent).
  QVERIFY(c.send("1\r\nx\r\n"));
  auto r = c.readFinalResponse(2s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 413);
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  // Under the limit the same stream completes.
  auto ok = sendAndRead(srv.port(), makeRequest("PUT", "/sink", "Transfer-Encoding: chunked\r\n") + chunk + "0\r\n\r\n", false);
  QCOMPARE(ok.status, 200);
}

void TestServerLimits::chunkExtensionOverLimitGets413() {
  const std::string req = makeRequest("PUT", "/sink", "Transfer-Encoding: chunked\r\n") + "5;e=\"" + std::string(20 * 1024, 'e') +
                          "\"\r\nhello\r\n0\r\n\r\n";
  refusedThenAcceptedWhenRaised(req, [](ServerConfig& c) { c.parse.maxChunkExtension = 64 * 1024; });
}

void TestServerLimits::refusedThenAcceptedWhenRaised(const std::string& req, const std::function<void(ServerConfig&)>& raise) {
  auto o = sendAndRead(defaults_.port(), req, true);
  QCOMPARE(o.status, 413);
  QCOMPARE(o.after, RawClient::PeerState::kClosed);
  InProcessServer large;
  ServerConfig l = config();
  raise(l);
  QVERIFY(large.start(l));
  QCOMPARE(sendAndRead(large.port(), req, false).status, 200);
}

// Issue 14 #14: 3,000 one-byte chunks, each with a 100-byte extension, pass the per-chunk
// cap but not the 64 KiB per-message budget: 413 and close; a larger budget takes them.
void TestServerLimits::chunkExtensionsPerMessageGet413() {
  std::string req = makeRequest("PUT", "/sink", "Transfer-Encoding: chunked\r\n");
  for (int i = 0; i < 3000; ++i) req += "1;e=" + std::string(96, 'v') + "\r\nx\r\n";
  req += "0\r\n\r\n";
  refusedThenAcceptedWhenRaised(req, [](ServerConfig& c) { c.parse.maxChunkExtensionsPerMessage = 1024 * 1024; });
}

void TestServerLimits::maxConnectionsHoldsTheNextOneBack() {
  InProcessServer srv;
  ServerConfig cfg = config();
  cfg.maxConnections = 2;
  QVERIFY(srv.start(cfg));
  RawClient a(srv.port()), b(srv.port());
  for (RawClient* c : {&a, &b}) {
    QVERIFY(c->send(makeRequest("GET", "/status/200")));
    auto r = c->readFinalResponse(2s);
    QVERIFY2(r, c->error().c_str());
  }
  RawClient third(srv.port());  // the kernel completes the handshake; the server does not accept it yet
  QVERIFY(third.connected());
  QVERIFY(third.send(makeRequest("GET", "/status/202")));
  QVERIFY2(!third.waitReadable(500ms), "a third connection was served while two were open");
  QCOMPARE(srv.server().stats().snapshot().connectionsOpen, uint64_t(2));
  // One closes: the third is accepted and answered.
  a.close();
  auto r = third.readFinalResponse(3s);
  QVERIFY2(r, third.error().c_str());
  QCOMPARE(r->status, 202);
  // The held ones still work.
  QVERIFY(b.send(makeRequest("GET", "/status/203")));
  auto rb = b.readFinalResponse(2s);
  QVERIFY2(rb, b.error().c_str());
  QCOMPARE(rb->status, 203);
}

void TestServerLimits::maxConnectionsIsConfigurable() {
  InProcessServer srv;
  ServerConfig cfg = config();
  cfg.maxConnections = 3;
  QVERIFY(srv.start(cfg));
  RawClient a(srv.port()), b(srv.port()), c(srv.port());
  for (RawClient* x : {&a, &b, &c}) {
    QVERIFY(x->send(makeRequest("GET", "/status/200")));
    auto r = x->readFinalResponse(2s);
    QVERIFY2(r, x->error().c_str());
    QCOMPARE(r->status, 200);
  }
  RawClient d(srv.port());
  QVERIFY(d.send(makeRequest("GET", "/status/200")));
  QVERIFY(!d.waitReadable(300ms));
}

QTEST_APPLESS_MAIN(TestServerLimits)
#include "test_server_limits.moc"
