// The client engine against a canned-response server replaying broken responses
// (complements tests/engine/test_client_pool.cpp: truncated CL body, "zz" chunk,
// plain junk). Each row: the bytes of connection #0's answer, and whether the
// failure shows at the head (fetch fails) or in the body (readAll fails) or not
// at all (junk after a complete response). In every row the error has words, and
// the next request goes to a NEW connection (#1) and gets #1's answer: a broken
// connection is never reused and junk is never taken for the next response.
#include <QtTest/QtTest>

#include <chrono>
#include <string>
#include <thread>

#include "engine/client/client.h"
#include "support/client_raw_server.h"

using namespace std::chrono_literals;
using sluice::client::Client;
using sluice::client::ClientConfig;
using sluice::client::Request;
using sluice::test::ClientRawServer;

namespace {

enum class FailsAt { kHead, kBody, kNothing };

void keepAlive(int fd) {
  for (;;) {
    if (ClientRawServer::readRequest(fd).empty()) return;
    if (!ClientRawServer::writeAll(fd, ClientRawServer::okResponse("fresh"))) return;
  }
}

// A complete response followed by bytes that look like a second one.
const std::string kFakeNext = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nSMUGG";

}  // namespace

Q_DECLARE_METATYPE(FailsAt)

class TestHostileClient : public QObject {
  Q_OBJECT

 private slots:
  void brokenResponses_data();
  void brokenResponses();
};

void TestHostileClient::brokenResponses_data() {
  QTest::addColumn<QByteArray>("reply");
  QTest::addColumn<bool>("closeAfter");  // close at once (else hold the socket 400 ms, then close)
  QTest::addColumn<FailsAt>("failsAt");
  QTest::addColumn<QByteArray>("words");  // a word the error must contain
  auto b = [](const std::string& s) { return QByteArray::fromStdString(s); };

  QTest::newRow("truncated chunked body (close inside a chunk)")
      << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly-eight") << true << FailsAt::kBody
      << QByteArray("truncated");
  QTest::newRow("truncated chunked body (no last chunk)")
      << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n") << true << FailsAt::kBody
      << QByteArray("truncated");
  QTest::newRow("Content-Length larger than the data, then close")
      << b("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(1000, 'x')) << true << FailsAt::kBody
      << QByteArray("truncated");
  QTest::newRow("chunk size overflow") << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nx")
                                      << false << FailsAt::kBody << QByteArray("malformed");
  QTest::newRow("negative chunk size") << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n")
                                      << false << FailsAt::kBody << QByteArray("malformed");
  // 1,000 one-byte chunks, each with a 100-byte extension: under the 16 KiB per-chunk cap,
  // over the 64 KiB per-message budget (issue 14 #14).
  QTest::newRow("chunk extensions over the per-message budget") << [&] {
    std::string s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 1000; ++i) s += "1;e=" + std::string(96, 'v') + "\r\nx\r\n";
    return b(s + "0\r\n\r\n");
  }() << false << FailsAt::kBody << QByteArray("in all the chunks of one response body");
  QTest::newRow("chunk data longer than its size")
      << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n") << false << FailsAt::kBody
      << QByteArray("malformed");
  QTest::newRow("bare LF after chunk size")
      << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n") << false << FailsAt::kBody
      << QByteArray("malformed");
  QTest::newRow("fake response after a complete one")
      << b(ClientRawServer::okResponse("hello") + kFakeNext) << false << FailsAt::kNothing << QByteArray();
  QTest::newRow("fake response after a chunked one")
      << b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + kFakeNext) << false
      << FailsAt::kNothing << QByteArray();
  QTest::newRow("100-digit status") << b("HTTP/1.1 " + std::string(100, '2') + " OK\r\nContent-Length: 5\r\n\r\nhello")
                                    << false << FailsAt::kHead << QByteArray("malformed");
  QTest::newRow("100 KiB header") << b("HTTP/1.1 200 OK\r\nX-Big: " + std::string(100 * 1024, 'h') +
                                       "\r\nContent-Length: 5\r\n\r\nhello")
                                  << false << FailsAt::kHead << QByteArray("header section too large");
  QTest::newRow("HTTP/0.9 reply (no status line)") << b("hello, this is a body without a head\n") << true << FailsAt::kHead
                                                   << QByteArray("malformed");
  QTest::newRow("close in the middle of the headers")
      << b("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Len") << true << FailsAt::kHead << QByteArray("closed");
  QTest::newRow("close after the status line") << b("HTTP/1.1 200 OK\r\n") << true << FailsAt::kHead << QByteArray("closed");
  QTest::newRow("bare LF in the head") << b("HTTP/1.1 200 OK\nContent-Length: 5\n\nhello") << false << FailsAt::kHead
                                       << QByteArray("malformed");
  QTest::newRow("Content-Length and Transfer-Encoding")
      << b("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + kFakeNext) << false
      << FailsAt::kHead << QByteArray("malformed");
  QTest::newRow("two different Content-Lengths")
      << b("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 44\r\n\r\nhello" + kFakeNext) << false
      << FailsAt::kHead << QByteArray("malformed");
}

void TestHostileClient::brokenResponses() {
  QFETCH(QByteArray, reply);
  QFETCH(bool, closeAfter);
  QFETCH(FailsAt, failsAt);
  QFETCH(QByteArray, words);
  const std::string bytes = reply.toStdString();
  ClientRawServer server([&](int fd, int index) {
    if (index > 0) return keepAlive(fd);
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, bytes);
    if (!closeAfter) std::this_thread::sleep_for(400ms);
  });
  ClientConfig cfg;
  cfg.heldTooLong = std::chrono::milliseconds(0);
  Client client(cfg);

  auto ex = client.fetch(*Request::get(server.url("/first")));
  std::string error;
  if (failsAt == FailsAt::kHead) {
    QVERIFY2(!ex, "a broken head must fail the request");
    error = ex.error().message;
  } else {
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    std::string body;
    auto r = ex->body.readAll(body, UINT64_MAX, 5000ms);
    if (failsAt == FailsAt::kBody) {
      QVERIFY2(!r, ("a broken body must fail, got: " + body.substr(0, 40)).c_str());
      error = r.error().message;
    } else {
      QVERIFY2(r, r ? "" : r.error().message.c_str());
      QCOMPARE(body, std::string("hello"));
    }
    ex->body.release();
  }
  if (failsAt != FailsAt::kNothing) {
    qInfo("error: %s", error.c_str());
    QVERIFY2(error.find(words.toStdString()) != std::string::npos, error.c_str());
  }
  // The next request: a new connection, its own answer; never "SMUGG", never the old bytes.
  auto next = client.fetch(*Request::get(server.url("/second")));
  QVERIFY2(next, next ? "" : next.error().message.c_str());
  QVERIFY(!next->response.verdict.reused);
  std::string body;
  QVERIFY(next->body.readAll(body, UINT64_MAX, 5000ms));
  QCOMPARE(body, std::string("fresh"));
  next->body.release();
  QCOMPARE(server.accepts(), 2);
}

QTEST_APPLESS_MAIN(TestHostileClient)
#include "test_hostile_client.moc"
