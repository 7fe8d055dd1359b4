// Each /fault endpoint and /drip, observed from a raw socket.
#include <QtTest>

#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace sluice::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
}

class TestFaultsEndpoints : public QObject {
  Q_OBJECT
  std::string root_;
  UploadServer server_;

 private slots:
  void initTestCase() {
    root_ = makeTempDir("faults");
    QVERIFY2(server_.start(root_ + "/up", {"--quiet"}), server_.error().c_str());
  }
  void cleanupTestCase() {
    server_.stop();
    removeTree(root_);
  }

  void resetAtOnce() {
    RawClient c(server_.port());
    QVERIFY(c.send(makeRequest("GET", "/fault/reset")));
    QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kReset);
    QVERIFY(c.received().empty());
  }

  void resetAfterBytes() {
    RawClient c(server_.port());
    QVERIFY(c.send(makeRequest("GET", "/fault/reset?after=1000")));
    QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kReset);
    const std::string& got = c.received();
    QVERIFY(got.starts_with("HTTP/1.1 200"));
    QCOMPARE(got.size() - (got.find("\r\n\r\n") + 4), 1000u);
  }

  void closeAfterBytes() {
    RawClient c(server_.port());
    QVERIFY(c.send(makeRequest("GET", "/fault/close-after/500")));
    QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
    const std::string& got = c.received();
    QVERIFY(got.find("Content-Length: 1000\r\n") != std::string::npos);
    QCOMPARE(got.size() - (got.find("\r\n\r\n") + 4), 500u);
  }

  void stall() {
    RawClient c(server_.port());
    auto t0 = Clock::now();
    QVERIFY(c.send(makeRequest("GET", "/fault/stall/400?bytes=20")));
    QVERIFY(c.waitReadable(2s));
    QVERIFY(msSince(t0) < 300);  // the head and the first half come at once
    auto resp = c.readResponse(3s);
    QVERIFY(resp);
    QCOMPARE(resp->body.size(), 20u);
    QVERIFY(msSince(t0) >= 390);
  }

  void connectionClose() {
    RawClient c(server_.port());
    QVERIFY(c.send(makeRequest("GET", "/fault/connection-close")));
    auto resp = c.readResponse(3s);
    QVERIFY(resp);
    QCOMPARE(resp->header("Connection").value_or(""), std::string("close"));
    QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  }

  void idleClose() {
    RawClient c(server_.port());
    auto t0 = Clock::now();
    QVERIFY(c.send(makeRequest("GET", "/fault/idle-close/300")));
    auto resp = c.readResponse(3s);
    QVERIFY(resp);
    QCOMPARE(resp->status, 200);
    QVERIFY(!resp->hasHeader("Connection"));  // keep-alive as far as the client knows
    QCOMPARE(c.readUntilClose(5s), RawClient::PeerState::kClosed);
    QVERIFY(msSince(t0) >= 290);
  }

  void badLength() {
    RawClient c(server_.port());
    QVERIFY(c.send(makeRequest("GET", "/fault/bad-length")));
    QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
    const std::string& got = c.received();
    QVERIFY(got.find("Content-Length: 100\r\n") != std::string::npos);
    QVERIFY(got.size() - (got.find("\r\n\r\n") + 4) < 100);
  }

  void drip() {
    RawClient c(server_.port());
    auto t0 = Clock::now();
    QVERIFY(c.send(makeRequest("GET", "/drip?bytes=6&interval=60&chunk=2")));
    auto resp = c.readResponse(5s);
    QVERIFY(resp);
    QCOMPARE(resp->body, std::string("******"));
    QVERIFY(msSince(t0) >= 110);  // three pieces, 60 ms apart
  }
};

#if __has_include("test_faults_endpoints.moc")
QTEST_MAIN(TestFaultsEndpoints)
#include "test_faults_endpoints.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_faults_endpoints")
#endif
