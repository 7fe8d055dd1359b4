// HTTP/1.1 behaviour of the server through real loopback sockets: keep-alive, pipelining,
// chunked uploads, HTTP/1.0 and Connection: close, HEAD, 100-continue, and the drain bound.
#include <QtTest/QtTest>

#include <QCryptographicHash>

#include <string>
#include <thread>
#include <vector>

#include "support/process.h"
#include "engine/net/loop_clock.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::test::InProcessServer;
using sluice::test::RawClient;
using sluice::test::RawResponse;
using sluice::test::makeRequest;

namespace {

std::string pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

QByteArray sha256(const std::string& s) {
  return QCryptographicHash::hash(QByteArrayView(s.data(), qsizetype(s.size())), QCryptographicHash::Sha256).toHex();
}

}  // namespace

class TestServerHttp : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void cleanupTestCase();

  void keepAliveReuseWithCurl();
  void keepAliveSurvivesAnIdlePause();
  void bodilessRequestToSinkIsAnswered();
  void pipeliningAnswersInOrder();
  void pipelinedRequestsInOneWriteWithBodies();
  void pipelinedRequestBehindADelayedResponse();
  void chunkedUploadWithCurlFromAPipe();
  void chunkedRequestBodyRaw();
  void http10ClosesAfterTheResponse();
  void http10KeepAliveIsHonoured();
  void connectionCloseIsHonoured();
  void headHasLengthButNoBody();
  void bytesEndpointChunkedAndLength();
  void expectContinueAcceptedWithCurl();
  void expectContinueRefusedWhenTooLarge();
  void expectContinueRefusedWithCurl();
  void unknownExpectationGets417();
  void smallUnreadBodyIsDrainedAndTheConnectionKept();
  void largeUnreadBodyClosesTheConnection();

 private:
  std::optional<RawResponse> roundTrip(RawClient& c, const std::string& req, bool head = false) {
    if (!c.send(req)) return std::nullopt;
    return c.readFinalResponse(3s, head);
  }
  sluice::test::RunResult curl(const std::vector<std::string>& args, const sluice::test::SpawnOptions& opts = {},
                               std::chrono::milliseconds timeout = 20s) {
    std::vector<std::string> argv{curl_};
    argv.insert(argv.end(), args.begin(), args.end());
    return sluice::test::runProcess(argv, timeout, opts);
  }

  std::string curl_;
  InProcessServer srv_;
};

void TestServerHttp::initTestCase() {
  curl_ = sluice::test::curlPath();
  if (curl_.empty()) QFAIL("curl is required for these tests and was not found (make deps installs it)");
  QVERIFY2(srv_.start(), srv_.error().c_str());
}

void TestServerHttp::cleanupTestCase() { srv_.stop(); }

void TestServerHttp::keepAliveReuseWithCurl() {
  const auto before = srv_.server().stats().snapshot();
  auto r = curl({"-v", "-sS", "--fail", srv_.url("/status/200"), srv_.url("/bytes/100")});
  QVERIFY2(r.ok(), (r.exit.describe() + " " + r.err).c_str());
  QVERIFY2(r.err.find("Re-using existing connection") != std::string::npos, r.err.c_str());
  QVERIFY(r.out.find("{\"status\":200}") != std::string::npos);
  const auto after = srv_.server().stats().snapshot();
  QCOMPARE(after.connectionsAccepted - before.connectionsAccepted, uint64_t(1));
  QCOMPARE(after.requests - before.requests, uint64_t(2));
}

void TestServerHttp::keepAliveSurvivesAnIdlePause() {
  // Idle between requests for longer than the drain bound (1 s) but far less than the keep-alive timeout.
  auto clock = std::make_shared<sluice::net::ManualClock>();
  sluice::server::ServerConfig cfg;
  cfg.clock = clock;
  sluice::test::InProcessServer srv;
  QVERIFY2(srv.start(cfg), srv.error().c_str());
  RawClient c(srv.port());
  QVERIFY(c.connected());
  auto a = roundTrip(c, makeRequest("GET", "/status/200"));
  QVERIFY2(a, c.error().c_str());
  QCOMPARE(a->status, 200);
  QVERIFY(clock->advance(1300ms));
  auto b = roundTrip(c, makeRequest("GET", "/status/201"));
  QVERIFY2(b, qPrintable(QString::fromStdString("second request on the idle connection: " + c.error())));
  QCOMPARE(b->status, 201);
}

void TestServerHttp::bodilessRequestToSinkIsAnswered() {
  RawClient c(srv_.port());
  auto r = roundTrip(c, makeRequest("GET", "/sink"));
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QVERIFY2(r->body.find("\"bytes\":0") != std::string::npos, r->body.c_str());
  // Content-Length: 0 too.
  auto s = roundTrip(c, makeRequest("POST", "/sink", "Content-Length: 0\r\n"));
  QVERIFY2(s, c.error().c_str());
  QVERIFY(s->body.find("\"bytes\":0") != std::string::npos);
}

void TestServerHttp::pipeliningAnswersInOrder() {
  RawClient c(srv_.port());
  // Three requests in one write: three responses, in request order.
  std::string three = makeRequest("GET", "/status/201") + makeRequest("GET", "/status/202") + makeRequest("GET", "/bytes/7");
  QVERIFY(c.send(three));
  auto r1 = c.readFinalResponse(3s);
  QVERIFY2(r1, c.error().c_str());
  QCOMPARE(r1->status, 201);
  auto r2 = c.readFinalResponse(3s);
  QVERIFY2(r2, c.error().c_str());
  QCOMPARE(r2->status, 202);
  auto r3 = c.readFinalResponse(3s);
  QVERIFY2(r3, c.error().c_str());
  QCOMPARE(r3->status, 200);
  QCOMPARE(r3->body, std::string("abcdefg"));
  QVERIFY(c.received().empty());
  // Still open for more.
  auto r4 = roundTrip(c, makeRequest("GET", "/status/200"));
  QVERIFY2(r4, c.error().c_str());
  QCOMPARE(r4->status, 200);
}

void TestServerHttp::pipelinedRequestBehindADelayedResponse() {
  RawClient c(srv_.port());
  // The second request waits in the server's buffer while the first is answered
  // from a timer; it must be answered without the client sending anything more.
  QVERIFY(c.send(makeRequest("GET", "/delay/150") + makeRequest("GET", "/status/202")));
  auto r1 = c.readFinalResponse(3s);
  QVERIFY2(r1, c.error().c_str());
  QCOMPARE(r1->status, 200);
  auto r2 = c.readFinalResponse(2s);
  QVERIFY2(r2, "the pipelined request behind /delay was not answered");
  QCOMPARE(r2->status, 202);
}

void TestServerHttp::pipelinedRequestsInOneWriteWithBodies() {
  RawClient c(srv_.port());
  const std::string body = pattern(5000);
  std::string all = makeRequest("POST", "/echo", "Content-Length: 5000\r\n", body) +
                    makeRequest("PUT", "/sink", "Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n") +
                    makeRequest("GET", "/status/204");
  QVERIFY(c.send(all));
  auto a = c.readFinalResponse(3s);
  QVERIFY2(a, c.error().c_str());
  QCOMPARE(a->status, 200);
  QCOMPARE(a->body.size(), body.size());
  QVERIFY(a->body == body);
  auto b = c.readFinalResponse(3s);
  QVERIFY2(b, c.error().c_str());
  QVERIFY2(b->body.find("\"bytes\":5") != std::string::npos, b->body.c_str());
  auto d = c.readFinalResponse(3s);
  QVERIFY2(d, c.error().c_str());
  QCOMPARE(d->status, 204);
}

void TestServerHttp::chunkedUploadWithCurlFromAPipe() {
  const std::string data = pattern(3 * 1024 * 1024 + 17, 7);
  sluice::test::SpawnOptions opts;
  opts.feedStdin = true;
  opts.stdinData = data;
  auto r = curl({"-v", "-sS", "--fail", "-T", "-", "-H", "Content-Type: application/x-test", srv_.url("/echo")}, opts);
  QVERIFY2(r.ok(), (r.exit.describe() + " " + r.err.substr(0, 2000)).c_str());
  // curl sends a stream of unknown length chunked.
  QVERIFY2(r.err.find("Transfer-Encoding: chunked") != std::string::npos, r.err.substr(0, 2000).c_str());
  QCOMPARE(r.out.size(), data.size());
  QCOMPARE(sha256(r.out), sha256(data));
  // The same stream into /sink: the server reports the de-chunked byte count.
  auto s = curl({"-sS", "--fail", "-T", "-", srv_.url("/sink")}, opts);
  QVERIFY2(s.ok(), s.err.c_str());
  QVERIFY2(s.out.find("\"bytes\":" + std::to_string(data.size())) != std::string::npos, s.out.c_str());
}

void TestServerHttp::chunkedRequestBodyRaw() {
  RawClient c(srv_.port());
  std::string req = makeRequest("POST", "/echo", "Transfer-Encoding: chunked\r\n") +
                    "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: yes\r\n\r\n";
  auto r = roundTrip(c, req);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QCOMPARE(r->body, std::string("hello world"));
  QVERIFY(r->chunked);  // a body of unknown length goes back chunked
}

void TestServerHttp::http10ClosesAfterTheResponse() {
  RawClient c(srv_.port());
  QVERIFY(c.send("GET /status/200 HTTP/1.0\r\n\r\n"));
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  QVERIFY(c.received().empty());
  // A streamed answer of unknown length to HTTP/1.0 is delimited by the close.
  RawClient d(srv_.port());
  QVERIFY(d.send("GET /bytes/100?chunked=1 HTTP/1.0\r\n\r\n"));
  QCOMPARE(d.readUntilClose(3s), RawClient::PeerState::kClosed);
  std::string all = d.received();
  QVERIFY2(all.rfind("HTTP/1.", 0) == 0, all.c_str());
  QVERIFY2(all.find("Transfer-Encoding") == std::string::npos, "no chunked coding for an HTTP/1.0 client");
  auto bodyAt = all.find("\r\n\r\n");
  QVERIFY(bodyAt != std::string::npos);
  QCOMPARE(all.size() - bodyAt - 4, size_t(100));
}

void TestServerHttp::http10KeepAliveIsHonoured() {
  RawClient c(srv_.port());
  auto a = roundTrip(c, "GET /status/200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  QVERIFY2(a, c.error().c_str());
  QCOMPARE(a->status, 200);
  auto b = roundTrip(c, "GET /status/203 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  QVERIFY2(b, c.error().c_str());
  QCOMPARE(b->status, 203);
}

void TestServerHttp::connectionCloseIsHonoured() {
  RawClient c(srv_.port());
  // Pipelined after the closing request: never answered.
  QVERIFY(c.send(makeRequest("GET", "/status/200", "Connection: close\r\n") + makeRequest("GET", "/status/201")));
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QVERIFY2(r->header("Connection").value_or("").find("close") != std::string::npos, r->head.c_str());
  QCOMPARE(c.readUntilClose(3s), RawClient::PeerState::kClosed);
  QVERIFY2(c.received().find("201") == std::string::npos, c.received().c_str());
  // curl sees the close too.
  auto k = curl({"-v", "-sS", "-H", "Connection: close", srv_.url("/status/200"), srv_.url("/status/200")});
  QVERIFY2(k.ok(), k.err.c_str());
  QVERIFY2(k.err.find("Re-using existing connection") == std::string::npos, k.err.c_str());
}

void TestServerHttp::headHasLengthButNoBody() {
  RawClient c(srv_.port());
  auto h = roundTrip(c, makeRequest("HEAD", "/bytes/1000"), /*head=*/true);
  QVERIFY2(h, c.error().c_str());
  QCOMPARE(h->status, 200);
  QCOMPARE(h->header("Content-Length").value_or(""), std::string("1000"));
  QVERIFY(h->body.empty());
  auto s = roundTrip(c, makeRequest("HEAD", "/status/200"), true);
  QVERIFY2(s, c.error().c_str());
  QVERIFY(s->hasHeader("Content-Length"));
  // No body bytes slipped in: the next response on the connection starts at once.
  auto g = roundTrip(c, makeRequest("GET", "/bytes/5"));
  QVERIFY2(g, c.error().c_str());
  QCOMPARE(g->status, 200);
  QCOMPARE(g->body, std::string("abcde"));
  // curl -I agrees.
  auto k = curl({"-sS", "-I", srv_.url("/bytes/1000")});
  QVERIFY2(k.ok(), k.err.c_str());
  QVERIFY2(k.out.find("Content-Length: 1000") != std::string::npos, k.out.c_str());
}

void TestServerHttp::bytesEndpointChunkedAndLength() {
  RawClient c(srv_.port());
  auto a = roundTrip(c, makeRequest("GET", "/bytes/100000?chunked=1&chunk=1000"));
  QVERIFY2(a, c.error().c_str());
  QVERIFY(a->chunked);
  QCOMPARE(a->body.size(), size_t(100000));
  auto b = roundTrip(c, makeRequest("GET", "/bytes/100000"));
  QVERIFY2(b, c.error().c_str());
  QCOMPARE(b->header("Content-Length").value_or(""), std::string("100000"));
  QVERIFY(a->body == b->body);
}

void TestServerHttp::expectContinueAcceptedWithCurl() {
  auto r = curl({"-v", "-sS", "--fail", "-H", "Expect: 100-continue", "--data-binary", "hello expect", srv_.url("/echo")});
  QVERIFY2(r.ok(), r.err.c_str());
  QVERIFY2(r.err.find("HTTP/1.1 100 Continue") != std::string::npos, r.err.c_str());
  QCOMPARE(r.out, std::string("hello expect"));
  // Raw: the 100 comes before any body byte is sent.
  RawClient c(srv_.port());
  QVERIFY(c.send(makeRequest("POST", "/echo", "Content-Length: 5\r\nExpect: 100-continue\r\n")));
  auto interim = c.readResponse(3s);
  QVERIFY2(interim, c.error().c_str());
  QCOMPARE(interim->status, 100);
  QVERIFY(c.send("12345"));
  auto fin = c.readFinalResponse(3s);
  QVERIFY2(fin, c.error().c_str());
  QCOMPARE(fin->status, 200);
  QCOMPARE(fin->body, std::string("12345"));
}

void TestServerHttp::expectContinueRefusedWhenTooLarge() {
  InProcessServer small;
  sluice::server::ServerConfig cfg;
  cfg.maxBodyBytes = 1000;
  QVERIFY2(small.start(cfg), small.error().c_str());
  RawClient c(small.port());
  QVERIFY(c.send(makeRequest("PUT", "/sink", "Content-Length: 100000\r\nExpect: 100-continue\r\n")));
  // The final status arrives without any body byte sent, and no 100 before it.
  std::vector<int> interim;
  auto r = c.readFinalResponse(3s, false, &interim);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 413);
  QVERIFY2(interim.empty(), "no 100 Continue before a refusal");
  QVERIFY(c.received().find("100 Continue") == std::string::npos);
  // Not waiting for the body: the connection is closed rather than read.
  QCOMPARE(c.readUntilClose(4s), RawClient::PeerState::kClosed);
  // Under the limit the same request is accepted with 100.
  RawClient d(small.port());
  QVERIFY(d.send(makeRequest("PUT", "/sink", "Content-Length: 500\r\nExpect: 100-continue\r\n")));
  auto i = d.readResponse(3s);
  QVERIFY2(i, d.error().c_str());
  QCOMPARE(i->status, 100);
  QVERIFY(d.send(std::string(500, 'x')));
  auto f = d.readFinalResponse(3s);
  QVERIFY2(f, d.error().c_str());
  QCOMPARE(f->status, 200);
}

void TestServerHttp::expectContinueRefusedWithCurl() {
  InProcessServer small;
  sluice::server::ServerConfig cfg;
  cfg.maxBodyBytes = 1000;
  QVERIFY2(small.start(cfg), small.error().c_str());
  auto r = curl({"-v", "-sS", "-H", "Expect: 100-continue", "--data-binary", std::string(5000, 'z'), "-o", "/dev/null",
                 "-w", "%{http_code}", small.url("/sink")});
  QVERIFY2(r.started && !r.timedOut, r.err.c_str());
  QCOMPARE(r.out, std::string("413"));
  QVERIFY2(r.err.find("100 Continue") == std::string::npos, r.err.c_str());
  QVERIFY2(small.server().stats().snapshot().bytesIn < 1000, "the refused body was read");
}

void TestServerHttp::unknownExpectationGets417() {
  RawClient c(srv_.port());
  QVERIFY(c.send(makeRequest("PUT", "/sink", "Content-Length: 10\r\nExpect: something-else\r\n")));
  std::vector<int> interim;
  auto r = c.readFinalResponse(3s, false, &interim);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 417);
  QVERIFY(interim.empty());
}

void TestServerHttp::smallUnreadBodyIsDrainedAndTheConnectionKept() {
  // /status answers without reading the body; the body is small enough to drain.
  RawClient c(srv_.port());
  QVERIFY(c.send(makeRequest("POST", "/status/200", "Content-Length: 2000\r\n", std::string(2000, 'u'))));
  auto a = c.readFinalResponse(3s);
  QVERIFY2(a, c.error().c_str());
  QCOMPARE(a->status, 200);
  auto b = roundTrip(c, makeRequest("GET", "/status/201"));
  QVERIFY2(b, qPrintable(QString::fromStdString("second request after a drained body: " + c.error())));
  QCOMPARE(b->status, 201);
  // The body arriving after the response is drained too.
  QVERIFY(c.send(makeRequest("POST", "/status/202", "Content-Length: 3000\r\n")));
  auto d = c.readFinalResponse(3s);
  QVERIFY2(d, c.error().c_str());
  QCOMPARE(d->status, 202);
  QVERIFY(c.send(std::string(3000, 'v')));
  auto e = roundTrip(c, makeRequest("GET", "/status/203"));
  QVERIFY2(e, c.error().c_str());
  QCOMPARE(e->status, 203);
}

void TestServerHttp::largeUnreadBodyClosesTheConnection() {
  // Default bound (1 MiB): a 64 MiB unread body is not read to the end, the connection closes.
  {
    RawClient c(srv_.port());
    QVERIFY(c.send(makeRequest("POST", "/status/200", "Content-Length: 67108864\r\n", std::string(1000, 'w'))));
    auto a = c.readFinalResponse(3s);
    QVERIFY2(a, c.error().c_str());
    QCOMPARE(a->status, 200);
    QVERIFY2(c.readUntilClose(4s) != RawClient::PeerState::kOpen, "connection kept open for a 64 MiB unread body");
  }
  // The bound is configurable: 64 KiB keeps a 32 KiB remainder and closes on a 200 KiB one.
  InProcessServer srv;
  sluice::server::ServerConfig cfg;
  cfg.drainMaxBytes = 64 * 1024;
  QVERIFY2(srv.start(cfg), srv.error().c_str());
  {
    RawClient c(srv.port());
    QVERIFY(c.send(makeRequest("POST", "/status/200", "Content-Length: 32768\r\n", std::string(32768, 'x'))));
    QVERIFY(c.readFinalResponse(3s));
    auto b = roundTrip(c, makeRequest("GET", "/status/201"));
    QVERIFY2(b, c.error().c_str());
    QCOMPARE(b->status, 201);
  }
  {
    RawClient c(srv.port());
    QVERIFY(c.send(makeRequest("POST", "/status/200", "Content-Length: 204800\r\n")));
    auto a = c.readFinalResponse(3s);
    QVERIFY2(a, c.error().c_str());
    QCOMPARE(a->status, 200);
    QVERIFY2(c.readUntilClose(4s) != RawClient::PeerState::kOpen, "connection kept open past the drain bound");
  }
  QVERIFY(srv.server().stats().snapshot().drainCloses >= 1);
}

QTEST_APPLESS_MAIN(TestServerHttp)
#include "test_server_http.moc"
