// What the client puts on the wire (issue 14, items 1-3): control characters and
// bad tokens are refused before connecting, a user's Transfer-Encoding never goes
// out beside a Content-Length, and an early answer (413 during an upload) is read
// and reported instead of the write error.
#include <QtTest>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>

#include "engine/client/client.h"
#include "support/client_raw_server.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::ErrorCode;
using sluice::client::Client;
using sluice::client::ClientConfig;
using sluice::client::Request;
using sluice::client::RequestBody;
using sluice::test::ClientRawServer;

namespace {

/**
 * Reads one request: its head, then a Content-Length body or a chunked body up to
 * its last chunk. Answers "Expect: 100-continue" with a 100 first.
 */
std::string readWholeRequest(int fd) {
  std::string got;
  char buf[4096];
  auto more = [&] {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    return n > 0;
  };
  while (got.find("\r\n\r\n") == std::string::npos)
    if (!more()) return got;
  size_t headEnd = got.find("\r\n\r\n") + 4;
  std::string head = got.substr(0, headEnd);
  if (head.find("Expect: 100-continue") != std::string::npos) ClientRawServer::writeAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  if (head.find("Transfer-Encoding: chunked") != std::string::npos) {
    while (!got.ends_with("0\r\n\r\n"))
      if (!more()) break;
  } else if (auto cl = head.find("Content-Length: "); cl != std::string::npos) {
    size_t want = headEnd + std::stoul(head.substr(cl + 16));
    while (got.size() < want)
      if (!more()) break;
  }
  return got;
}

/** A raw server that records each request it gets (chunked bodies included) and answers 200. */
struct RecordingServer {
  std::mutex mutex;
  std::vector<std::string> requests;
  ClientRawServer raw{[this](int fd, int) {
    std::string req = readWholeRequest(fd);
    {
      std::lock_guard lock(mutex);
      requests.push_back(req);
    }
    ClientRawServer::writeAll(fd, ClientRawServer::okResponse("ok", "Connection: close\r\n"));
  }};
  std::string last() {
    std::lock_guard lock(mutex);
    return requests.empty() ? std::string() : requests.back();
  }
};

std::string headOf(const std::string& req) { return req.substr(0, req.find("\r\n\r\n") + 4); }

}  // namespace

class TestClientWire : public QObject {
  Q_OBJECT
 private slots:
  void controlCharactersAreRefusedBeforeConnecting_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<QString>("mentions");
    const QByteArray ok = "/x";
    QTest::newRow("CRLF in the path") << "GET" << QByteArray("/x HTTP/1.1\r\nX-Injected: yes\r\nY:") << QByteArray("A")
                                      << QByteArray("b") << "URL path";
    QTest::newRow("space in the path") << "GET" << QByteArray("/a b") << QByteArray("A") << QByteArray("b") << "a space";
    QTest::newRow("NUL in the path") << "GET" << QByteArray("/a\0b", 4) << QByteArray("A") << QByteArray("b") << "control byte";
    QTest::newRow("raw UTF-8 in the path") << "GET" << QByteArray("/caf\xC3\xA9") << QByteArray("A") << QByteArray("b")
                                           << "non-ASCII";
    QTest::newRow("request line as method") << "GET /x HTTP/1.1" << ok << QByteArray("A") << QByteArray("b") << "method";
    QTest::newRow("CRLF in the method") << "GET\r\nX: y" << ok << QByteArray("A") << QByteArray("b") << "method";
    QTest::newRow("empty method") << "" << ok << QByteArray("A") << QByteArray("b") << "method";
    QTest::newRow("CRLF in a header value") << "GET" << ok << QByteArray("A") << QByteArray("b\r\nGET /second HTTP/1.1")
                                            << "a CR";
    QTest::newRow("bare LF in a header value") << "GET" << ok << QByteArray("A") << QByteArray("b\nc") << "an LF";
    QTest::newRow("CR in a header value") << "GET" << ok << QByteArray("A") << QByteArray("b\rc") << "a CR";
    QTest::newRow("NUL in a header value") << "GET" << ok << QByteArray("A") << QByteArray("b\0c", 3) << "control byte";
    QTest::newRow("space in a header name") << "GET" << ok << QByteArray("X Y") << QByteArray("b") << "header name";
    QTest::newRow("colon in a header name") << "GET" << ok << QByteArray("X:Y") << QByteArray("b") << "header name";
    QTest::newRow("CRLF in a header name") << "GET" << ok << QByteArray("X\r\nY") << QByteArray("b") << "header name";
  }
  void controlCharactersAreRefusedBeforeConnecting() {
    QFETCH(QString, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    QFETCH(QString, mentions);
    ClientRawServer srv([](int fd, int) {
      ClientRawServer::readRequest(fd);
      ClientRawServer::writeAll(fd, ClientRawServer::okResponse("sent"));
    });
    Client client;
    auto req = Request::get(srv.url("/"));
    QVERIFY(req);
    req->method = method.toStdString();
    req->url.target = target.toStdString();  // set directly: the check must hold whatever the URL parser lets through
    req->headers.add(headerName.toStdString(), headerValue.toStdString());
    auto ex = client.fetch(std::move(*req));
    QVERIFY2(!ex, "an unsafe request was sent");
    QCOMPARE(ex.error().code, ErrorCode::kInvalidArgument);
    QVERIFY2(QString::fromStdString(ex.error().message).contains(mentions), ex.error().message.c_str());
    QVERIFY2(ex.error().message.find('\n') == std::string::npos, "the error message itself carries a line break");
    QCOMPARE(srv.accepts(), 0);
  }

  void aUrlWithInjectedHeadersNeverReachesTheServer() {
    ClientRawServer srv([](int fd, int) {
      ClientRawServer::readRequest(fd);
      ClientRawServer::writeAll(fd, ClientRawServer::okResponse("sent"));
    });
    Client client;
    auto req = Request::get(srv.url("/x HTTP/1.1\r\nX-Injected: yes\r\nY:"));
    if (req) {  // a parser that lets it through leaves the refusal to the wire check
      auto ex = client.fetch(std::move(*req));
      QVERIFY(!ex);
    }
    QCOMPARE(srv.accepts(), 0);
  }

  void safeRequestsStillGoOut() {
    RecordingServer srv;
    Client client;
    auto req = Request::get(srv.raw.url("/a%20b?q=%0D%0A"));
    QVERIFY(req);
    req->method = "M-SEARCH";
    req->headers.add("X-Tab", "a\tb");
    auto ex = client.fetch(std::move(*req));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    QCOMPARE(ex->response.status, 200);
    ex->body.release();
    QVERIFY(srv.last().starts_with("M-SEARCH /a%20b?q=%0D%0A HTTP/1.1\r\n"));
  }

  void userChunkedWithSizedBodyIsFramedChunked() {
    RecordingServer srv;
    Client client;
    auto req = Request::get(srv.raw.url("/up"));
    req->method = "POST";
    req->headers.add("Transfer-Encoding", "chunked");
    req->headers.add("Content-Length", "5");
    req->body = RequestBody::fromBytes("hello");
    auto ex = client.fetch(std::move(*req));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    ex->body.release();
    std::string got = srv.last();
    std::string head = headOf(got);
    QVERIFY2(head.find("Content-Length") == std::string::npos, head.c_str());
    QVERIFY2(head.find("Transfer-Encoding: chunked\r\n") != std::string::npos, head.c_str());
    QCOMPARE(got.substr(head.size()), std::string("5\r\nhello\r\n0\r\n\r\n"));
    QVERIFY(ex->response.requestHead == head);
  }

  void userChunkedWithFileBodyIsFramedChunked() {
    QTemporaryDir dir;
    std::string path = dir.filePath("f.bin").toStdString();
    std::ofstream(path, std::ios::binary) << std::string(300 * 1024, 'z');
    RecordingServer srv;
    Client client;
    auto req = Request::get(srv.raw.url("/up"));
    req->method = "PUT";
    req->headers.add("Transfer-Encoding", "chunked");
    req->body = RequestBody::fromFile(path);
    auto ex = client.fetch(std::move(*req));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    ex->body.release();
    std::string got = srv.last();
    std::string head = headOf(got);
    QVERIFY2(head.find("Content-Length") == std::string::npos, head.c_str());
    QVERIFY(head.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    QVERIFY(got.ends_with("\r\n0\r\n\r\n"));
    // 256 KiB and 44 KiB chunks: the body bytes add up.
    QVERIFY(got.find("\r\n40000\r\n") != std::string::npos || got.find("\r\n\r\n40000\r\n") != std::string::npos);
  }

  void transferCodingWithoutChunkedIsRefused() {
    RecordingServer srv;
    Client client;
    auto req = Request::get(srv.raw.url("/up"));
    req->method = "POST";
    req->headers.add("Transfer-Encoding", "gzip");
    req->body = RequestBody::fromBytes("hello");
    auto ex = client.fetch(std::move(*req));
    QVERIFY(!ex);
    QVERIFY2(ex.error().message.find("does not end in chunked") != std::string::npos, ex.error().message.c_str());
  }

  void earlyAnswerDuringAnUploadIsReported() {
    // The server answers 413 at once and closes without reading: the client's writes
    // fail (EPIPE or ECONNRESET) while the answer waits in its receive queue.
    const std::string body(8 << 20, 'u');
    ClientRawServer srv([](int fd, int) {
      std::string head;
      char buf[1024];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        head.append(buf, static_cast<size_t>(n));
      }
      ClientRawServer::writeAll(fd, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo large");
      // Close the socket with unread body bytes in it, so the kernel sends a reset; /dev/null
      // takes over the descriptor number, which the fixture closes later.
      int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      ::dup2(devNull, fd);
      ::close(devNull);
    });
    ClientConfig cfg;
    cfg.expectContinueBytes = 0;  // exercise the write-failure path
    Client client(cfg);
    for (int run = 0; run < 10; ++run) {
      auto req = Request::get(srv.url("/up"));
      req->method = "PUT";
      req->body = RequestBody::fromBytes(body);
      auto ex = client.fetch(std::move(*req));
      QVERIFY2(ex, (std::to_string(run) + ": " + (ex ? "" : ex.error().message)).c_str());
      QCOMPARE(ex->response.status, 413);
      std::string text;
      QVERIFY(ex->body.readAll(text, 1024, 2000ms));
      QCOMPARE(text, std::string("too large"));
      QVERIFY(ex->response.bodyCutShort);
    }
  }

  void earlyAnswerFromOurServerIsReported() {
    sluice::test::InProcessServer srv;
    sluice::server::ServerConfig scfg;
    scfg.maxBodyBytes = 1 << 20;
    QVERIFY2(srv.start(scfg), srv.error().c_str());
    const std::string body(8 << 20, 'u');
    for (bool expect : {false, true}) {
      ClientConfig cfg;
      cfg.expectContinueBytes = expect ? 1 << 20 : 0;
      Client client(cfg);
      for (int run = 0; run < 5; ++run) {
        auto req = Request::get(srv.url("/sink"));
        req->method = "POST";
        req->body = RequestBody::fromBytes(body);
        auto ex = client.fetch(std::move(*req));
        QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
        QCOMPARE(ex->response.status, 413);
        QCOMPARE(ex->response.requestHead.find("Expect: 100-continue\r\n") != std::string::npos, expect);
        ex->body.release();
      }
    }
    srv.stop();
  }

  void expectContinueFollowsTheThreshold() {
    RecordingServer srv;
    ClientConfig cfg;
    cfg.expectContinueBytes = 1000;
    Client client(cfg);
    for (size_t size : {size_t(1000), size_t(1001)}) {
      auto req = Request::get(srv.raw.url("/up"));
      req->method = "POST";
      req->body = RequestBody::fromBytes(std::string(size, 'e'));
      auto ex = client.fetch(std::move(*req));
      QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
      ex->body.release();
      QCOMPARE(ex->response.requestHead.find("Expect: 100-continue") != std::string::npos, size > 1000);
    }
    auto req = Request::get(srv.raw.url("/up"));
    req->method = "POST";
    req->body = RequestBody::fromBytes(std::string(5000, 'e'));
    req->expectContinue = false;  // the request's own choice wins
    auto ex = client.fetch(std::move(*req));
    QVERIFY(ex);
    ex->body.release();
    QVERIFY(ex->response.requestHead.find("Expect") == std::string::npos);
  }

  // A streamed body of unknown size (chunked) may be of any size: Expect is sent, as curl
  // does for chunked uploads; the body follows the 100 and arrives whole.
  void expectContinueForBodiesOfUnknownSize() {
    RecordingServer srv;
    for (uint64_t threshold : {uint64_t(1) << 20, uint64_t(0)}) {
      ClientConfig cfg;
      cfg.expectContinueBytes = threshold;
      Client client(cfg);
      auto req = Request::get(srv.raw.url("/up"));
      req->method = "POST";
      auto left = std::make_shared<int>(3);
      req->body = RequestBody::fromPull([left](std::span<char> buf) -> sluice::Result<size_t> {
        if ((*left)-- <= 0) return size_t(0);
        buf[0] = 'p';
        return size_t(1);
      });
      auto ex = client.fetch(std::move(*req));
      QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
      ex->body.release();
      const std::string& head = ex->response.requestHead;
      QVERIFY2(head.find("Transfer-Encoding: chunked\r\n") != std::string::npos, head.c_str());
      QCOMPARE(head.find("Expect: 100-continue\r\n") != std::string::npos, threshold > 0);  // 0: never
      QCOMPARE(ex->response.status, 200);
    }
  }
};

QTEST_APPLESS_MAIN(TestClientWire)
#include "test_client_wire.moc"
