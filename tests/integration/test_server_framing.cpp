// Malformed or ambiguous framing, sent raw over a socket: each gets its status, nothing
// smuggled behind it is answered, the connection is closed, and the server keeps serving.
#include <QtTest/QtTest>

#include <string>

#include "support/framing_probe.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::test::InProcessServer;
using sluice::test::RawClient;

namespace {
const QByteArray& kSmuggled = sluice::test::kSmuggledRequest;
using sluice::test::rawBytes;
}  // namespace

static void addRefusalRows();

class TestServerFraming : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void cleanupTestCase();
  void refusedAndClosed_data();
  void refusedAndClosed();
  void refusedInPieces_data() { addRefusalRows(); }
  void refusedInPieces();
  void refusalAfterAGoodRequestOnTheSameConnection();

 private:
  void expectHealthy();
  InProcessServer srv_;
};

void TestServerFraming::initTestCase() {
  sluice::server::ServerConfig cfg;
  cfg.lingerTime = 300ms;
  QVERIFY2(srv_.start(cfg), srv_.error().c_str());
}

void TestServerFraming::cleanupTestCase() { srv_.stop(); }

void TestServerFraming::refusedAndClosed_data() {
  addRefusalRows();
  // Sent whole, /echo has queued its 200 head and first chunk but sent none of it when
  // the bad chunk size arrives: that answer is taken back and 400 sent instead. (In
  // pieces its 200 may already be on the wire; then only a close is possible.)
  QTest::newRow("bad chunk size after a good chunk, /echo")
      << QByteArray("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nxyz\r\n") << 400;
}

void addRefusalRows() {
  QTest::addColumn<QByteArray>("request");
  QTest::addColumn<int>("status");
  const QByteArray post = "POST /sink HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  QTest::newRow("Content-Length with Transfer-Encoding")
      << post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + kSmuggled << 400;
  QTest::newRow("Transfer-Encoding with Content-Length")
      << post + "Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n" + kSmuggled << 400;
  QTest::newRow("duplicate Content-Length, differing")
      << post + "Content-Length: 3\r\nContent-Length: 47\r\n\r\nabc" + kSmuggled << 400;
  QTest::newRow("duplicate Content-Length, same") << post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc" << 400;
  QTest::newRow("Content-Length not a number") << post + "Content-Length: 3x\r\n\r\nabc" << 400;
  QTest::newRow("Content-Length negative") << post + "Content-Length: -3\r\n\r\nabc" << 400;
  QTest::newRow("Content-Length list") << post + "Content-Length: 3, 3\r\n\r\nabc" << 400;
  QTest::newRow("bad chunk size") << post + "Transfer-Encoding: chunked\r\n\r\nxyz\r\nabc\r\n0\r\n\r\n" << 400;
  QTest::newRow("invalid Host value")
      << QByteArray("GET /status/200 HTTP/1.1\r\nHost: local host\r\n\r\n") + kSmuggled << 400;
  QTest::newRow("bad chunk size after a good chunk, /sink")
      << post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nxyz\r\n" << 400;
  QTest::newRow("chunk size with junk") << post + "Transfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n" << 400;
  QTest::newRow("Transfer-Encoding in HTTP/1.0")
      << QByteArray("POST /sink HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") + kSmuggled << 400;
  QTest::newRow("bare CR line ends") << QByteArray("GET /status/200 HTTP/1.1\rHost: 127.0.0.1\r\r") << 400;
  QTest::newRow("bare CR in a header value") << QByteArray("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\rb\r\n\r\n") << 400;
  QTest::newRow("bare LF line ends") << QByteArray("GET /status/200 HTTP/1.1\nHost: 127.0.0.1\n\n") << 400;
  QTest::newRow("bare LF after a header") << QByteArray("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n\r\n") << 400;
  QTest::newRow("obs-fold") << QByteArray("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: one\r\n two\r\n\r\n") << 400;
  QTest::newRow("obs-fold in Transfer-Encoding")
      << post + "Transfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n" + kSmuggled << 400;
  QTest::newRow("space before colon") << post + "Content-Length : 3\r\n\r\nabc" << 400;
  QTest::newRow("space before colon in Transfer-Encoding")
      << post + "Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc" << 400;
  QTest::newRow("missing Host on HTTP/1.1") << QByteArray("GET /status/200 HTTP/1.1\r\nAccept: */*\r\n\r\n") << 400;
  QTest::newRow("two Host headers") << QByteArray("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n") << 400;
  QTest::newRow("NUL in the head") << rawBytes("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\0b\r\n\r\n") << 400;
  QTest::newRow("NUL in the request line") << rawBytes("GET /status/200\0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 400;
  QTest::newRow("Transfer-Encoding: chunked, identity")
      << post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + kSmuggled << 400;
  QTest::newRow("Transfer-Encoding: identity") << post + "Transfer-Encoding: identity\r\n\r\nabc" << 400;
  QTest::newRow("two Transfer-Encoding headers")
      << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" << 400;
  QTest::newRow("Transfer-Encoding: gzip, chunked") << post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" << 501;
  QTest::newRow("HTTP/2.0 request line") << QByteArray("GET /status/200 HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n") << 505;
  QTest::newRow("not HTTP at all") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03") << 400;
}

void TestServerFraming::refusedAndClosed() {
  QFETCH(QByteArray, request);
  QFETCH(int, status);
  RawClient c(srv_.port());
  QVERIFY2(c.connected(), c.error().c_str());
  QVERIFY(c.send(std::string_view(request.constData(), size_t(request.size()))));
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, status);
  QVERIFY2(r->header("Connection").value_or("").find("close") != std::string::npos, r->head.c_str());
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  // Nothing after the refusal: a smuggled request is never answered.
  QVERIFY2(c.received().find("HTTP/1.1") == std::string::npos, c.received().c_str());
  expectHealthy();
}

void TestServerFraming::refusedInPieces() {
  QFETCH(QByteArray, request);
  QFETCH(int, status);
  // The same bytes in small writes (7 bytes at a time): the verdict must not depend on reads.
  RawClient c(srv_.port());
  sluice::test::sendInPieces(c, request, 7, 28, 2ms);
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, status);
  QVERIFY(c.readUntilClose(3s) != RawClient::PeerState::kOpen);
}

void TestServerFraming::refusalAfterAGoodRequestOnTheSameConnection() {
  RawClient c(srv_.port());
  QVERIFY(c.send("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "POST /sink HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
  auto a = c.readFinalResponse(3s);
  QVERIFY2(a, c.error().c_str());
  QCOMPARE(a->status, 200);
  auto b = c.readFinalResponse(3s);
  QVERIFY2(b, c.error().c_str());
  QCOMPARE(b->status, 400);
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
}

void TestServerFraming::expectHealthy() {
  const std::string problem = sluice::test::unhealthy(srv_.port());
  QVERIFY2(problem.empty(), problem.c_str());
}

QTEST_APPLESS_MAIN(TestServerFraming)
#include "test_server_framing.moc"
